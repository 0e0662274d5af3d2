"""Fixtures for the browser tests: a private JupyterLab server and a headless Chromium.

The server is started from the interpreter running pytest (the pinned environment), bound to
127.0.0.1 on a free port with a random token, with every Jupyter directory (config, data,
runtime, settings, workspaces) in a temporary folder so that nothing from the user's own
setup leaks in and nothing is written to it. JupyterLab's news feed, update check and PyPI
extension manager are switched off, and the browser aborts every request that is not for
localhost, so a test run never reaches beyond this machine. The server is always stopped,
with its kernels, also when a test fails or is interrupted.

Chromium is the operating system's (Debian: ``apt-get install chromium``), driven by
Playwright's Python package; Playwright's own browser download is never used.

When a test fails, a screenshot of the page, the browser console and the server log are
saved under ``test-artifacts/<test name>/`` at the repository root.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# The probe on this machine's kind found that without the background-networking flags,
# Chromium tries to reach Google's hosts at every start; none of these is needed to render.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SERVER_START_TIMEOUT = 90.0  # s; the first start may build matplotlib's font cache
SERVER_STOP_TIMEOUT = 20.0  # s for a clean shutdown (kernels included) before SIGKILL

# JupyterLab user settings written into the temporary settings directory.
LAB_SETTINGS = {
    # No news feed, no "check for updates" request (both would go to the internet).
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Running cells makes the notebook dirty: never write the repository's notebooks back.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Every cell in the DOM, not only those scrolled into view, so that all outputs render.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def _chromium() -> str | None:
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the OS Chromium; skips the browser tests without it or without Playwright."""
    pytest.importorskip(
        "playwright.sync_api", reason="needs Playwright: pip install 'alphakit[browser]'"
    )
    path = _chromium()
    if path is None:
        pytest.skip("needs the operating system's Chromium (Debian: apt-get install chromium)")
    return path


# --------------------------------------------------------------------------------------------
# Failure artifacts
# --------------------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixtures can tell, at teardown, that the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


@pytest.fixture
def artifacts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A folder for a test's diagnostic files; copied to ``test-artifacts/`` if it fails."""
    folder = tmp_path / "artifacts"
    folder.mkdir()
    yield folder
    if _failed(request) and any(folder.iterdir()):
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        dest = ARTIFACTS / name
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(folder, dest)
        print(f"\nbrowser test artifacts: {dest}")


# --------------------------------------------------------------------------------------------
# JupyterLab server
# --------------------------------------------------------------------------------------------


@dataclass
class LabServer:
    """A running JupyterLab server (see the ``lab_server`` fixture)."""

    proc: subprocess.Popen
    port: int
    token: str
    root: Path
    log_path: Path
    _opener: urllib.request.OpenerDirector = field(
        # Never through a proxy from the environment: the server is on loopback.
        default_factory=lambda: urllib.request.build_opener(urllib.request.ProxyHandler({}))
    )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str) -> str:
        """URL that opens ``path`` (relative to the root) in a fresh JupyterLab workspace."""
        quoted = urllib.parse.quote(path)
        return f"{self.base_url}/lab/tree/{quoted}?reset&token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10.0):
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with self._opener.open(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-n:])

    def shutdown_sessions(self) -> None:
        """Shut down every kernel session (frees the CPU between notebooks)."""
        for session in self.api("GET", "/api/sessions"):
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=30.0)
            except (urllib.error.URLError, OSError):
                pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_start_time(pid: int) -> str | None:
    """Start time of a process (field 22 of /proc/<pid>/stat), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, start time) of all descendants of ``pid``, from /proc (empty where there is none).

    Kernels run in their own sessions (jupyter_client starts them with start_new_session), so
    killing the server's process group would not reach them; they are found by parentage.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            start = _proc_start_time(child)
            if start is not None:
                found.append((child, start))
                todo.append(child)
    return found


def _stop_server(proc: subprocess.Popen) -> None:
    """Stop the server and its kernels: SIGTERM (clean shutdown), then SIGKILL what is left."""
    kernels = _descendants(proc.pid) if Path("/proc").is_dir() else []
    if proc.poll() is None:
        # start_new_session=True made the server the leader of its own process group.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
    for pid, start in kernels:
        # Only the very processes seen above (same pid and start time), never by name.
        if _proc_start_time(pid) == start:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def lab_server(
    chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    """JupyterLab from this interpreter's environment, on 127.0.0.1, rooted at the repository."""
    pytest.importorskip("jupyterlab", reason="needs JupyterLab: pip install 'alphakit[notebooks]'")
    home = tmp_path_factory.mktemp("jupyter")
    names = ("config", "data", "runtime", "ipython", "settings", "ws", "checkpoints")
    dirs = {name: home / name for name in names}
    for folder in dirs.values():
        folder.mkdir()
    for plugin, values in LAB_SETTINGS.items():
        settings_file = dirs["settings"] / f"{plugin}.jupyterlab-settings"
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps(values))

    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["ws"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    port, token = _free_port(), secrets.token_hex(24)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--port-retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={REPO}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        # window.jupyterapp, to read cell outputs and kernel state from the notebook model.
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['ws']}",
        # JupyterLab makes a checkpoint of every notebook it opens: not in the repository.
        f"--FileCheckpoints.root_dir={dirs['checkpoints']}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    log_path = home / "jupyterlab.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = LabServer(proc=proc, port=port, token=token, root=REPO, log_path=log_path)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"JupyterLab exited with code {proc.returncode} before it was ready:\n"
                    f"{server.log_tail()}"
                )
            try:
                server.api("GET", "/api/status", timeout=2.0)
                break
            except (urllib.error.URLError, OSError, ValueError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab not ready after {SERVER_START_TIMEOUT:.0f} s:\n"
                        f"{server.log_tail()}"
                    )
                time.sleep(0.25)
        yield server
    finally:
        _stop_server(proc)
        log.close()


# --------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@dataclass
class BrowserPage:
    """A page in a fresh headless Chromium, plus what it logged and tried to fetch elsewhere."""

    page: object  # playwright.sync_api.Page
    console: list[str]
    blocked: list[str]
    writes: list[str]  # requests that would change a file (e.g. a notebook save)


@pytest.fixture
def lab_page(
    request: pytest.FixtureRequest,
    playwright_driver,
    chromium_path: str,
    lab_server: LabServer,
    artifacts: Path,
    tmp_path: Path,
) -> Iterator[BrowserPage]:
    """A page of a new Chromium with its own empty profile that can only reach localhost.

    At teardown the test's kernels are shut down; if the test failed, a screenshot, the
    browser console and the server log go to the artifacts folder first.
    """
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium_path,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000},
    )
    try:
        state = BrowserPage(page=None, console=[], blocked=[], writes=[])

        def only_localhost(route) -> None:
            url = route.request.url
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
                route.continue_()
            else:
                state.blocked.append(url)
                route.abort()

        context.route("**/*", only_localhost)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda msg: state.console.append(f"[{msg.type}] {msg.text}"))
        page.on("pageerror", lambda exc: state.console.append(f"[pageerror] {exc}"))

        def record_write(req) -> None:
            # Saving or renaming goes through PUT/PATCH/DELETE on the contents API.
            if "/api/contents" in req.url and req.method in ("PUT", "PATCH", "DELETE"):
                state.writes.append(f"{req.method} {req.url}")

        page.on("request", record_write)
        state.page = page
        yield state
        if _failed(request):
            try:
                page.screenshot(path=str(artifacts / "page.png"), full_page=True)
            except Exception as exc:  # noqa: BLE001 - a diagnostic must not hide the failure
                state.console.append(f"[artifact] screenshot failed: {exc}")
            try:
                (artifacts / "page.html").write_text(page.content())
            except Exception as exc:  # noqa: BLE001
                state.console.append(f"[artifact] page.html failed: {exc}")
            (artifacts / "console.log").write_text("\n".join(state.console) + "\n")
            if state.blocked:
                (artifacts / "blocked-requests.txt").write_text("\n".join(state.blocked) + "\n")
            shutil.copy(lab_server.log_path, artifacts / "jupyterlab.log")
    finally:
        context.close()
        try:
            lab_server.shutdown_sessions()
        except (urllib.error.URLError, OSError):
            pass
