"""Runs the nedra binary: finds it, streams its stderr into progress and log lines, kills it
on cancellation and turns a non-zero exit into an error carrying nedra's own message.

Pure Python (no QGIS import), so it is tested without QGIS: `feedback` is anything with
isCanceled(), setProgress(percent), pushInfo(text) and, optionally, pushWarning(text),
pushCommandInfo(text) and pushConsoleInfo(text) — QgsProcessingFeedback has them all.
"""

import os
import queue
import re
import shlex
import shutil
import subprocess
import threading

#: Environment variable naming the binary (overridden by the provider's setting).
ENV_BINARY = "NEDRA_BIN"

_STEP = re.compile(r"^\[(\d+)/(\d+)\]")
_PASS = re.compile(r"^pass (.*): (\d+)/(\d+) blocks$")


class NedraError(Exception):
    """nedra could not be found, failed, or was cancelled; the message says which and why."""


class NedraCancelled(NedraError):
    """The user cancelled and the process was stopped."""


def find_binary(setting=None):
    """The nedra executable: the provider setting, else $NEDRA_BIN, else `nedra` on PATH
    (or ~/.cargo/bin/nedra, where `cargo install` puts it)."""
    for value, origin in ((setting, "the provider setting"), (os.environ.get(ENV_BINARY), ENV_BINARY)):
        if value:
            path = os.path.expanduser(value)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
            raise NedraError(f"{path} (from {origin}) is not an executable file")
    found = shutil.which("nedra")
    if found:
        return found
    cargo = os.path.expanduser(os.path.join("~", ".cargo", "bin", "nedra"))
    if os.path.isfile(cargo) and os.access(cargo, os.X_OK):
        return cargo
    raise NedraError(
        "the nedra binary was not found: put it on PATH, set the environment variable "
        f"{ENV_BINARY}, or set Processing → Options → Providers → nedra → nedra executable"
    )


class Progress:
    """Percent done from nedra's stderr: `[k/n] …` steps of a run, and `pass WHAT: d/t blocks`
    lines (NEDRA_PROGRESS=lines) within a step or, for a stage command, on their own."""

    def __init__(self):
        self.step = None  # (k, n) of the current step

    def percent(self, line):
        """The percent done after `line`, or None if the line says nothing about progress."""
        m = _STEP.match(line)
        if m:
            k, n = int(m.group(1)), int(m.group(2))
            if n > 0 and 1 <= k <= n:
                self.step = (k, n)
                return 100.0 * (k - 1) / n
            return None
        m = _PASS.match(line)
        if m:
            done, total = int(m.group(2)), int(m.group(3))
            fraction = done / total if total > 0 else 1.0
            if self.step is None:
                return 100.0 * fraction
            k, n = self.step
            return 100.0 * (k - 1 + fraction) / n
        return None


def is_pass_line(line):
    """True for a `pass WHAT: d/t blocks` progress line (kept out of the log)."""
    return _PASS.match(line) is not None


def error_message(stderr_lines, code):
    """nedra's error paragraph (from its `error:` line on), or the last lines of stderr."""
    for i, line in enumerate(stderr_lines):
        if line.startswith("error: "):
            return "\n".join([line[len("error: "):]] + stderr_lines[i + 1:])
    tail = "\n".join(stderr_lines[-20:]) or "no message on stderr"
    return f"nedra exited with code {code}: {tail}"


def _pump(stream, tag, lines):
    for raw in iter(stream.readline, b""):
        lines.put((tag, raw.decode("utf-8", errors="replace").rstrip("\r\n")))
    stream.close()
    lines.put((tag, None))


def run(binary, args, feedback, poll_seconds=0.1, grace_seconds=5.0):
    """Runs `binary args…`, feeding `feedback`; returns (stdout lines, stderr lines).

    Raises NedraCancelled when feedback.isCanceled() (the process is terminated, then killed
    after `grace_seconds`), NedraError with nedra's message on a non-zero exit.
    """
    command = [binary] + [str(a) for a in args]
    if hasattr(feedback, "pushCommandInfo"):
        feedback.pushCommandInfo(" ".join(shlex.quote(c) for c in command))
    env = dict(os.environ)
    env["NEDRA_PROGRESS"] = "lines"
    extra = {}
    if os.name == "nt":
        extra["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, **extra)
    except OSError as e:
        raise NedraError(f"could not start {binary}: {e}") from e
    lines = queue.Queue()
    for stream, tag in ((process.stdout, "out"), (process.stderr, "err")):
        threading.Thread(target=_pump, args=(stream, tag, lines), daemon=True).start()
    progress = Progress()
    out, err, open_streams = [], [], 2
    warn = getattr(feedback, "pushWarning", feedback.pushInfo)
    console = getattr(feedback, "pushConsoleInfo", feedback.pushInfo)
    while open_streams:
        if feedback.isCanceled():
            _stop(process, grace_seconds)
            raise NedraCancelled(f"cancelled: nedra {args[0] if args else ''} was stopped")
        try:
            tag, line = lines.get(timeout=poll_seconds)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
        elif tag == "out":
            out.append(line)
            console(line)
        else:
            err.append(line)
            percent = progress.percent(line)
            if percent is not None:
                feedback.setProgress(percent)
            if is_pass_line(line):
                continue
            if line.startswith("warning: "):
                warn(line)
            elif not line.startswith("error: "):
                feedback.pushInfo(line)
    while process.poll() is None:
        if feedback.isCanceled():
            _stop(process, grace_seconds)
            raise NedraCancelled(f"cancelled: nedra {args[0] if args else ''} was stopped")
        try:
            process.wait(timeout=poll_seconds)
        except subprocess.TimeoutExpired:
            pass
    if process.returncode != 0:
        raise NedraError(error_message([l for l in err if not is_pass_line(l)], process.returncode))
    feedback.setProgress(100.0)
    return out, err


def _stop(process, grace_seconds):
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
