"""The MkDocs plugin ``diagramgen``: fences and spec images as inline SVG, cached across builds.

``plugins: [diagramgen]`` sets up the Markdown extension (:mod:`.markdown`) for every page,
renders the spec files pages refer to, keeps those files out of the built site, and keeps each
render in ``.cache/diagramgen/`` beside ``mkdocs.yml`` so an unchanged build renders nothing.
An invalid spec is logged as ``file:line:col: /pointer: message`` (so ``mkdocs build --strict``
fails) and shown on its page in a box; with ``fail_fast: true`` it stops the build at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from ..errors import DiagramgenError
from .markdown import DiagramFailed, DiagramgenExtension
from .markdown import Page as MarkdownPage
from .pictures import DEFAULT_THEME, Renderer, page_theme, parse_width

__all__ = ["BuildStopped", "DiagramgenConfig", "DiagramgenPlugin"]

_LOG = logging.getLogger("mkdocs.plugins.diagramgen")
#: The names a site may also list the extension by; the plugin's own instance replaces them.
_EXTENSION_NAMES = ("diagramgen.integrations.markdown",)


class BuildStopped(DiagramFailed, PluginError):
    """An invalid spec with ``fail_fast``: MkDocs stops the build with its message."""


class DiagramgenConfig(Config):  # type: ignore[no-untyped-call]  # mkdocs' untyped hook
    """The plugin's options in ``mkdocs.yml``."""

    theme = config_options.Type(str, default=DEFAULT_THEME)
    width = config_options.Type(int, default=0)
    cache = config_options.Type(bool, default=True)
    cache_dir = config_options.Type(str, default=".cache/diagramgen")
    fail_fast = config_options.Type(bool, default=False)
    dark_selector = config_options.Type(str, default="")
    light_selector = config_options.Type(str, default="")


class DiagramgenPlugin(BasePlugin[DiagramgenConfig]):  # type: ignore[no-untyped-call]
    """Render diagramgen fences and spec images on every page, through a cache."""

    def __init__(self) -> None:
        self.extension = DiagramgenExtension()
        self.dirty = False
        self.docs_dir = Path(".")

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining this event keeps one plugin (and one engine worker) across `serve` rebuilds.
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            theme = page_theme(self.config.theme)
            width = parse_width(self.config.width)
        except DiagramgenError as error:
            raise PluginError(f"diagramgen: {error}") from None
        root = Path(config.config_file_path or ".").resolve().parent
        cache = root / self.config.cache_dir if self.config.cache else None
        options = {
            "theme": theme,
            "width": width or 0,
            "fail_fast": self.config.fail_fast,
            "dark_selector": self.config.dark_selector,
            "light_selector": self.config.light_selector,
        }
        try:
            self.extension = DiagramgenExtension(**options)
        except DiagramgenError as error:
            raise PluginError(f"diagramgen: {error}") from None
        self.extension.renderer = Renderer(cache)
        self.extension.report = self._report
        self.extension.failure = BuildStopped
        self.docs_dir = Path(config.docs_dir).resolve()
        extensions = [name for name in config.markdown_extensions if name not in _EXTENSION_NAMES]
        # mkdocs takes extension instances as well as names, though it declares names only.
        config.markdown_extensions = [*extensions, self.extension]  # type: ignore[list-item]
        return config

    def _report(self, error: DiagramgenError) -> None:
        for line in error.lines():
            _LOG.warning("%s", line)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        renderer = self.extension.renderer
        renderer.rendered = renderer.reused = 0
        renderer.used.clear()

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        source = page.file.abs_src_path
        folder = Path(source).parent if source else self.docs_dir
        name = page.file.src_uri.rsplit(".", 1)[0]
        shown = str(Path(config.docs_dir).name / Path(page.file.src_path))
        self.extension.page = MarkdownPage(shown, folder, name)
        return markdown

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> None:
        # Pages are converted before static files are copied: drop the specs they showed.
        for path in self.extension.referenced:
            if path.is_relative_to(self.docs_dir):
                found = files.get_file_from_path(path.relative_to(self.docs_dir).as_posix())
                if found is not None:
                    files.remove(found)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        renderer = self.extension.renderer
        if not self.dirty:  # a dirty build converts some pages: the others' renders still count
            renderer.prune()
        _LOG.info(
            "diagramgen: %d pictures rendered, %d from the cache",
            renderer.rendered,
            renderer.reused,
        )

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        # `serve` watches docs_dir already; spec files a page names outside it are added.
        for path in sorted(self.extension.referenced):
            if not path.is_relative_to(self.docs_dir) and path.is_file():
                server.watch(str(path))
        return server
