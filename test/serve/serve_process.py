"""Starts `loom-run serve` on a free loopback port and stops it with a signal."""
import json
import re
import signal
import subprocess
import threading
import time
import urllib.request


class ServeProcess:
    """One `loom-run serve` process; `url` is its base, e.g. http://127.0.0.1:41234."""

    def __init__(self, loom_run, model, backend, extra_args=(), start_timeout=120):
        self.command = [loom_run, "serve", "--model", model, "--backend", backend,
                        "--port", "0", *extra_args]
        self.process = subprocess.Popen(self.command, stderr=subprocess.PIPE, text=True)
        self.log = []
        self._ready = threading.Event()
        self.url = None
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._ready.wait(start_timeout) or self.url is None:
            self.process.kill()
            raise RuntimeError("loom-run serve did not start:\n" + "".join(self.log))

    def _read_log(self):
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r"on (http://[0-9.]+:[0-9]+)", line)
            if found and self.url is None:
                self.url = found.group(1)
                self._ready.set()
        self._ready.set()  # exited before listening

    def get(self, path):
        """(status, body text) of GET path."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_raw(self, path, body, content_type="application/json"):
        """(status, parsed JSON or text) of POST path with raw bytes `body`."""
        request = urllib.request.Request(self.url + path, data=body, method="POST",
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def metric(self, name):
        """The value of one Prometheus sample line `name` (with its labels) from /metrics."""
        _, text = self.get("/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        raise KeyError(name)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Sends `sig` and returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def wait_until(predicate, timeout, interval=0.05):
    """True once predicate() holds, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
