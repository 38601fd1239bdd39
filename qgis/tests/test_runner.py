"""The plugin's process runner without QGIS: progress from nedra's stderr, the log, errors and
cancellation, against small shell scripts standing in for nedra.

Run: python3 -m unittest discover -s qgis/tests -p 'test_runner.py'
"""

import os
import stat
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "nedra_qgis"))
import runner  # noqa: E402  (the module imports nothing from QGIS)


class Feedback:
    """Records what QgsProcessingFeedback would be told; cancels after `cancel_after` lines."""

    def __init__(self, cancel_after=None):
        self.progress, self.info, self.warnings, self.console, self.commands = [], [], [], [], []
        self.cancel_after = cancel_after

    def isCanceled(self):  # noqa: N802
        return self.cancel_after is not None and len(self.info) >= self.cancel_after

    def setProgress(self, percent):  # noqa: N802
        self.progress.append(percent)

    def pushInfo(self, text):  # noqa: N802
        self.info.append(text)

    def pushWarning(self, text):  # noqa: N802
        self.warnings.append(text)

    def pushConsoleInfo(self, text):  # noqa: N802
        self.console.append(text)

    def pushCommandInfo(self, text):  # noqa: N802
        self.commands.append(text)


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def script(self, body):
        path = os.path.join(self.dir.name, "nedra")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def test_steps_and_passes_become_progress_and_the_rest_the_log(self):
        nedra = self.script(
            'echo "$NEDRA_PROGRESS" >&2\n'
            'printf "[1/2] grid\\npass grid: 0/4 blocks\\npass grid: 2/4 blocks\\n" >&2\n'
            'printf "[2/2] posterior\\npass posterior: 4/4 blocks\\n" >&2\n'
            'echo "warning: conditional independence fails" >&2\n'
            'echo "ROC AUC: 0.95"\n')
        feedback = Feedback()
        out, _ = runner.run(nedra, ["run", "p t.toml"], feedback)
        self.assertEqual(out, ["ROC AUC: 0.95"])
        self.assertEqual(feedback.console, ["ROC AUC: 0.95"])
        self.assertEqual(feedback.progress, [0.0, 0.0, 25.0, 50.0, 100.0, 100.0])
        self.assertEqual(feedback.info, ["lines", "[1/2] grid", "[2/2] posterior"])
        self.assertEqual(feedback.warnings, ["warning: conditional independence fails"])
        self.assertEqual(feedback.commands, [f"{nedra} run 'p t.toml'"])

    def test_a_failure_raises_nedras_error_paragraph(self):
        nedra = self.script(
            'echo "[1/7] grid" >&2\n'
            'echo "error: reading deposits d.csv" >&2\n'
            'echo "  caused by: 2 points outside the study area" >&2\n'
            'exit 2\n')
        with self.assertRaises(runner.NedraError) as e:
            runner.run(nedra, ["run", "p.toml"], Feedback())
        self.assertEqual(str(e.exception),
                         "reading deposits d.csv\n  caused by: 2 points outside the study area")

    def test_a_failure_without_an_error_line_gives_the_code_and_stderr(self):
        nedra = self.script('echo "Segmentation fault" >&2\nexit 139\n')
        with self.assertRaises(runner.NedraError) as e:
            runner.run(nedra, ["weights"], Feedback())
        self.assertEqual(str(e.exception), "nedra exited with code 139: Segmentation fault")

    def test_cancelling_stops_the_process(self):
        marker = os.path.join(self.dir.name, "finished")
        nedra = self.script(f'echo "[1/2] grid" >&2\nsleep 30\ntouch "{marker}"\n')
        started = time.monotonic()
        with self.assertRaises(runner.NedraCancelled):
            runner.run(nedra, ["run", "p.toml"], Feedback(cancel_after=1))
        self.assertLess(time.monotonic() - started, 10)
        self.assertFalse(os.path.exists(marker))

    def test_the_binary_is_the_setting_then_the_environment_then_path(self):
        nedra = self.script("exit 0\n")
        saved = dict(os.environ)
        try:
            os.environ["NEDRA_BIN"] = "/nonexistent/nedra"
            self.assertEqual(runner.find_binary(nedra), nedra)
            with self.assertRaises(runner.NedraError):
                runner.find_binary()
            del os.environ["NEDRA_BIN"]
            os.environ["PATH"] = self.dir.name
            self.assertEqual(runner.find_binary(), nedra)
            os.environ["PATH"] = os.path.join(self.dir.name, "empty")
            os.environ["HOME"] = os.path.join(self.dir.name, "home")
            with self.assertRaises(runner.NedraError) as e:
                runner.find_binary()
            self.assertIn("NEDRA_BIN", str(e.exception))
        finally:
            os.environ.clear()
            os.environ.update(saved)


if __name__ == "__main__":
    unittest.main()
