(() => {
  'use strict';
  const endpoint = document.body.dataset.endpoint || '/';
  const escapeXml = (text) => text
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  const only = (object, key) => {
    const keys = Object.keys(object);
    return keys.length === 1 && keys[0] === key;
  };

  function encode(value) {
    if (value === null) return '<nil/>';
    switch (typeof value) {
      case 'boolean': return '<boolean>' + (value ? '1' : '0') + '</boolean>';
      case 'string': return '<string>' + escapeXml(value) + '</string>';
      case 'number':
        if (!Number.isFinite(value)) throw new Error('numbers must be finite');
        if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return '<int>' + value + '</int>';
        if (Number.isSafeInteger(value)) return '<i8>' + value + '</i8>';
        return '<double>' + String(value) + '</double>';
      case 'object':
        if (Array.isArray(value)) {
          return '<array><data>' + value.map((item) => '<value>' + encode(item) + '</value>').join('') + '</data></array>';
        }
        if (only(value, '$base64')) return '<base64>' + escapeXml(String(value.$base64)) + '</base64>';
        if (only(value, '$datetime')) return '<dateTime.iso8601>' + escapeXml(String(value.$datetime)) + '</dateTime.iso8601>';
        if (only(value, '$double')) return '<double>' + escapeXml(String(Number(value.$double))) + '</double>';
        return '<struct>' + Object.keys(value).map((name) =>
          '<member><name>' + escapeXml(name) + '</name><value>' + encode(value[name]) + '</value></member>').join('') + '</struct>';
      default:
        throw new Error('cannot send a ' + typeof value);
    }
  }

  const elements = (node) => Array.from(node.children);
  const child = (node, name) => elements(node).find((el) => el.localName === name);

  function decode(valueElement) {
    const typed = elements(valueElement)[0];
    if (!typed) return valueElement.textContent;
    const text = typed.textContent;
    switch (typed.localName) {
      case 'int': case 'i4': case 'i8': case 'i1': case 'i2': case 'biginteger': {
        const number = Number(text.trim());
        return Number.isSafeInteger(number) ? number : { $int: text.trim() };
      }
      case 'boolean': return text.trim() === '1';
      case 'double': case 'float': {
        const number = Number(text.trim());
        return Number.isFinite(number) ? number : { $double: text.trim() };
      }
      case 'bigdecimal': return { $decimal: text.trim() };
      case 'string': return text;
      case 'nil': return null;
      case 'base64': return { $base64: text.replace(/\s+/g, '') };
      case 'dateTime.iso8601': return { $datetime: text.trim() };
      case 'array': {
        const data = child(typed, 'data');
        return data ? elements(data).filter((el) => el.localName === 'value').map(decode) : [];
      }
      case 'struct': {
        const object = {};
        for (const member of elements(typed).filter((el) => el.localName === 'member')) {
          const name = child(member, 'name');
          const value = child(member, 'value');
          if (name && value) object[name.textContent] = decode(value);
        }
        return object;
      }
      default: return text;
    }
  }

  function show(output, state, text) {
    output.dataset.state = state;
    output.textContent = text;
  }

  async function call(form) {
    const output = form.querySelector('output');
    const button = form.querySelector('button');
    let params;
    try {
      params = JSON.parse(form.elements.args.value.trim() || '[]');
      if (!Array.isArray(params)) throw new Error('not an array');
      params = params.map((value) => '<param><value>' + encode(value) + '</value></param>').join('');
    } catch (error) {
      show(output, 'error', 'Arguments must be a JSON array: ' + error.message);
      return;
    }
    const body = "<?xml version='1.0'?>\n<methodCall><methodName>" + escapeXml(form.dataset.method) +
      '</methodName><params>' + params + '</params></methodCall>';
    button.disabled = true;
    show(output, 'pending', 'Calling\u2026');
    try {
      const response = await fetch(endpoint, {
        method: 'POST', body, credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'text/xml' },
      });
      const text = await response.text();
      if (!response.ok) {
        show(output, 'error', 'HTTP ' + response.status + ' ' + response.statusText + (text ? '\n' + text : ''));
        return;
      }
      const doc = new DOMParser().parseFromString(text, 'text/xml');
      const root = doc.documentElement;
      if (!root || root.localName !== 'methodResponse') throw new Error('not an XML-RPC response');
      const fault = child(root, 'fault');
      if (fault) {
        const detail = decode(child(fault, 'value'));
        show(output, 'fault', 'Fault ' + detail.faultCode + ': ' + detail.faultString);
        return;
      }
      const value = root.querySelector('params > param > value');
      if (!value) throw new Error('the response holds no value');
      show(output, 'ok', JSON.stringify(decode(value), null, 2));
    } catch (error) {
      show(output, 'error', 'Call failed: ' + error.message);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('try')) return;
    event.preventDefault();
    call(form);
  });
  document.body.dataset.ready = 'true';
})();
