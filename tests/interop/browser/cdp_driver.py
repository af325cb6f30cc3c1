"""Drives headless Chromium over the DevTools protocol, for page tests.

    python cdp_driver.py [CHROMIUM]

Starts Chromium headless with `--remote-debugging-pipe` (the protocol on
file descriptors 3 and 4: no port, no websocket, standard library only),
opens one page, then answers commands, one JSON object per line on stdin,
with one JSON line on stdout each ({"ok": true, "value": ...} or
{"ok": false, "error": "..."}):

    {"cmd": "goto", "url": URL}                 load a page and wait for it
    {"cmd": "eval", "expr": JS}                 evaluate, return the value
    {"cmd": "wait", "expr": JS, "timeout": S}   poll until JS is truthy
    {"cmd": "click", "selector": CSS}           a real mouse click at the element's centre
    {"cmd": "type", "selector": CSS, "text": T} focus, select all, type T as keyboard input
    {"cmd": "screenshot", "path": FILE}         save a PNG of the whole page
    {"cmd": "quit"}

Anything Chromium prints goes to stderr. A missing Chromium is an error,
never a skip.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = sys.argv[1] if len(sys.argv) > 1 else (shutil.which('chromium') or shutil.which('chromium-browser'))
if not CHROMIUM:
    print(json.dumps({'ok': False, 'error': 'chromium not found (apt-get install -y chromium)'}), flush=True)
    sys.exit(2)


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix='oxrpc-chromium-')
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # The protocol pipe is fds 3 (commands in) and 4 (replies out).
            # Copies first: the pipes may sit on 3 or 4 already, and dup2
            # onto itself would leave them closed-on-exec.
            commands, replies = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
             '--no-default-browser-check', '--disable-extensions', '--disable-background-networking',
             '--remote-debugging-pipe', '--user-data-dir=' + self.profile,
             '--window-size=1280,900', 'about:blank'],
            stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr,
            # The child keeps only what it inherits on purpose: Python opens
            # every other descriptor non-inheritable.
            preexec_fn=fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b''
        self.next_id = 0
        self.events = []
        targets = self.send('Target.getTargets')['targetInfos']
        page = next(t for t in targets if t['type'] == 'page')
        self.session = self.send('Target.attachToTarget', targetId=page['targetId'], flatten=True)['sessionId']
        self.send('Page.enable', session=True)
        self.send('Runtime.enable', session=True)

    def read_message(self, deadline):
        while b'\0' not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError('no answer from chromium')
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise RuntimeError('chromium closed the protocol pipe')
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b'\0', 1)
        return json.loads(message)

    def send(self, method, session=False, timeout=60, **params):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params}
        if session:
            message['sessionId'] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b'\0')
        deadline = time.monotonic() + timeout
        while True:
            reply = self.read_message(deadline)
            if reply.get('id') == self.next_id:
                if 'error' in reply:
                    raise RuntimeError('%s: %s' % (method, reply['error'].get('message')))
                return reply.get('result', {})
            self.events.append(reply)

    def evaluate(self, expression):
        result = self.send('Runtime.evaluate', session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in result:
            details = result['exceptionDetails']
            raise RuntimeError('JS error: %s' % details.get('exception', {}).get('description', details.get('text')))
        return result.get('result', {}).get('value')

    def wait(self, expression, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError('still false after %ss: %s' % (timeout, expression))

    def goto(self, url):
        self.send('Page.navigate', session=True, url=url)
        return self.wait("document.readyState === 'complete' && location.href !== 'about:blank'", 60)

    def centre(self, selector):
        box = self.evaluate(
            '(() => { const el = document.querySelector(%s); if (!el) return null;'
            ' el.scrollIntoView({block: "center"}); const r = el.getBoundingClientRect();'
            ' return [r.left + r.width / 2, r.top + r.height / 2]; })()' % json.dumps(selector))
        if not box:
            raise RuntimeError('no element matches %s' % selector)
        return box

    def click(self, selector):
        x, y = self.centre(selector)
        for kind in ('mouseMoved', 'mousePressed', 'mouseReleased'):
            self.send('Input.dispatchMouseEvent', session=True, type=kind, x=x, y=y,
                      button='left' if kind != 'mouseMoved' else 'none', clickCount=1)

    def type(self, selector, text):
        self.click(selector)
        self.evaluate('document.querySelector(%s).select()' % json.dumps(selector))
        self.send('Input.insertText', session=True, text=text)

    def screenshot(self, path):
        metrics = self.send('Page.getLayoutMetrics', session=True)
        size = metrics.get('cssContentSize') or metrics['contentSize']
        data = self.send('Page.captureScreenshot', session=True, format='png', captureBeyondViewport=True,
                         clip={'x': 0, 'y': 0, 'width': size['width'], 'height': min(size['height'], 6000),
                               'scale': 1})['data']
        with open(path, 'wb') as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        try:
            self.send('Browser.close', timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    browser = Browser()
    print(json.dumps({'ok': True, 'value': 'ready'}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            try:
                kind = command['cmd']
                if kind == 'quit':
                    print(json.dumps({'ok': True, 'value': None}), flush=True)
                    break
                elif kind == 'goto':
                    value = browser.goto(command['url'])
                elif kind == 'eval':
                    value = browser.evaluate(command['expr'])
                elif kind == 'wait':
                    value = browser.wait(command['expr'], command.get('timeout', 60))
                elif kind == 'click':
                    value = browser.click(command['selector'])
                elif kind == 'type':
                    value = browser.type(command['selector'], command['text'])
                elif kind == 'screenshot':
                    value = browser.screenshot(command['path'])
                else:
                    raise ValueError('unknown command %r' % kind)
                print(json.dumps({'ok': True, 'value': value}), flush=True)
            except Exception as error:  # reported to the test, which fails
                print(json.dumps({'ok': False, 'error': '%s: %s' % (type(error).__name__, error)}), flush=True)
    finally:
        browser.close()


main()
