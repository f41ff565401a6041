#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: no
port, no WebSocket library), for end-to-end tests of web pages. Reads one command per line on
stdin and answers one line on stdout, `ok ...` or `fail ...`:

  open URL                 navigate the tab and wait for the load event
  wait SECONDS EXPRESSION  evaluate the JavaScript expression until it is truthy (every 200 ms)
  eval EXPRESSION          the expression's value, as JSON
  errors                   the page's uncaught exceptions so far, as JSON
  screenshot PATH          the whole page as PNG
  quit

The browser's console messages and exceptions go to stderr. Usage:
  python3 scripts/lib/browser.py [--chromium PATH] [--width W] [--height H] [--ignore-certificate-errors]
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium, width, height, ignore_certificate_errors):
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Above the descriptors the child gets, so moving them to 3 and 4 overwrites nothing.
        high = [os.dup2(fd, 20 + i) for i, fd in enumerate((to_browser_r, from_browser_w))]
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)

        def child_pipes():
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
                f"--window-size={width},{height}", "--user-data-dir=" + os.environ.get("BROWSER_PROFILE", "/tmp/bosun-browser-profile")]
        if ignore_certificate_errors:
            # The test server's certificate comes from a CA generated per run.
            args.append("--ignore-certificate-errors")
        self.process = subprocess.Popen(args + ["about:blank"], preexec_fn=child_pipes, pass_fds=(3, 4),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in high:
            os.close(fd)
        self.writer = os.fdopen(to_browser_w, "wb")
        self.reader = os.fdopen(from_browser_r, "rb")
        self.buffer = b""
        self.next_id = 0
        self.exceptions = []
        self.loads = 0
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page.enable", "Runtime.enable"):
            self.call(domain, session=True)
        self.width, self.height = width, height

    def call(self, method, params=None, session=False):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.writer.write(json.dumps(message).encode() + b"\0")
        self.writer.flush()
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = self.reader.read1(1 << 16)
            if not chunk:
                raise RuntimeError("the browser exited")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        self.note(message)
        return message

    def note(self, message):
        method = message.get("method")
        if method == "Page.loadEventFired":
            self.loads += 1
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in message["params"]["args"])
            print(f"console.{message['params']['type']}: {text}", file=sys.stderr, flush=True)
        elif method == "Runtime.exceptionThrown":
            details = message["params"]["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.exceptions.append(text)
            print(f"exception: {text}", file=sys.stderr, flush=True)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description", "exception"))
        return result["result"].get("value")

    def open(self, url):
        # By way of a blank page: a URL differing only in its fragment would not load again.
        for target in ("about:blank", url):
            loads = self.loads
            result = self.call("Page.navigate", {"url": target}, session=True)
            if "errorText" in result:
                raise RuntimeError(f"{target}: {result['errorText']}")
            while self.loads == loads:
                self.receive()

    def wait(self, seconds, expression):
        deadline = time.monotonic() + seconds
        value = None
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError as error:
                value = f"exception: {error}"
            if value and not (isinstance(value, str) and value.startswith("exception: ")):
                return value
            if time.monotonic() > deadline:
                raise RuntimeError(f"not true within {seconds} s; last value {json.dumps(value)}")
            time.sleep(0.2)

    def screenshot(self, path):
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)") or self.height)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": max(height, 200), "deviceScaleFactor": 1, "mobile": False}, session=True)
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)["data"]
        self.call("Emulation.clearDeviceMetricsOverride", session=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--ignore-certificate-errors", action="store_true")
    options = parser.parse_args()
    browser = Browser(options.chromium, options.width, options.height, options.ignore_certificate_errors)

    def answer(text):
        sys.stdout.write(text.replace("\n", " ") + "\n")
        sys.stdout.flush()

    answer("ok ready")
    for line in sys.stdin:
        command, _, rest = line.rstrip("\n").partition(" ")
        try:
            if command == "open":
                browser.open(rest)
                answer("ok")
            elif command == "wait":
                seconds, _, expression = rest.partition(" ")
                answer("ok " + json.dumps(browser.wait(float(seconds), expression)))
            elif command == "eval":
                answer("ok " + json.dumps(browser.evaluate(rest)))
            elif command == "errors":
                answer("ok " + json.dumps(browser.exceptions))
            elif command == "screenshot":
                browser.screenshot(rest)
                answer("ok")
            elif command == "quit":
                break
            else:
                answer(f"fail unknown command {command}")
        except RuntimeError as error:
            answer(f"fail {error}")
    browser.close()
    answer("ok bye")


if __name__ == "__main__":
    main()
