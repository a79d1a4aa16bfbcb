/*
 * Renders /openapi.json without any CDN: every route with its method, path, summary, auth,
 * parameters, request body and responses, schemas written as compact TypeScript-like types.
 */
(function () {
  'use strict';

  var doc;
  var out = document.getElementById('routes');
  var toc = document.getElementById('toc');
  var status = document.getElementById('docs-status');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] == null) continue;
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c != null) node.append(c); });
    return node;
  }

  /** Text with `code` spans (the only markdown the descriptions use), as DOM nodes: never innerHTML. */
  function prose(text) {
    return String(text).split('`').map(function (part, i) { return i % 2 ? el('code', { text: part }) : document.createTextNode(part); });
  }

  function resolve(schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 20) {
      var path = schema.$ref.replace(/^#\//, '').split('/');
      schema = path.reduce(function (node, part) { return node && node[part.replace(/~1/g, '/').replace(/~0/g, '~')]; }, doc);
    }
    return schema || {};
  }

  /** Notes such as (email, ≤ 320 chars, default 100). */
  function notes(s) {
    var n = [];
    if (s.format) n.push(s.format);
    if (s.minLength != null) n.push('≥ ' + s.minLength + ' chars');
    if (s.maxLength != null) n.push('≤ ' + s.maxLength + ' chars');
    if (s.minimum != null) n.push('≥ ' + s.minimum);
    if (s.maximum != null) n.push('≤ ' + s.maximum);
    if (s.exclusiveMinimum != null) n.push('> ' + s.exclusiveMinimum);
    if (s.maxItems != null) n.push('≤ ' + s.maxItems + ' items');
    if (s.pattern) n.push('/' + s.pattern + '/');
    if (s.default !== undefined) n.push('default ' + JSON.stringify(s.default));
    return n.length ? ' (' + n.join(', ') + ')' : '';
  }

  /** A schema as a TypeScript-like type, indented. */
  function type(schema, indent, depth) {
    var s = resolve(schema);
    indent = indent || '';
    depth = depth || 0;
    if (depth > 8) return '…';
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    var union = s.anyOf || s.oneOf;
    if (union) return union.map(function (u) { return type(u, indent, depth + 1); }).join(' | ');
    if (s.allOf) return s.allOf.map(function (u) { return type(u, indent, depth + 1); }).join(' & ');
    var t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (t.length > 1) {
      return t.map(function (one) { var copy = Object.assign({}, s, { type: one }); return type(copy, indent, depth + 1); }).join(' | ');
    }
    var kind = t[0] || (s.properties ? 'object' : s.items ? 'array' : '');
    if (kind === 'object') {
      var props = s.properties || {};
      var names = Object.keys(props);
      var extra = s.additionalProperties;
      if (!names.length) {
        if (extra && extra !== true && typeof extra === 'object' && Object.keys(extra).length) return 'Record<string, ' + type(extra, indent, depth + 1) + '>';
        return extra === false ? '{}' : 'object';
      }
      var required = s.required || [];
      var inner = indent + '  ';
      var lines = names.map(function (name) {
        var p = resolve(props[name]);
        var optional = required.indexOf(name) < 0 ? '?' : '';
        var desc = p.description ? '  // ' + p.description.replace(/\s+/g, ' ') : '';
        return inner + name + optional + ': ' + type(p, inner, depth + 1) + notes(p) + desc;
      });
      if (extra === false) lines.push(inner + '// no other fields');
      return '{\n' + lines.join('\n') + '\n' + indent + '}';
    }
    if (kind === 'array') {
      var item = type(s.items || {}, indent, depth + 1);
      return (/[|&]/.test(item) && item.indexOf('\n') < 0 ? '(' + item + ')' : item) + '[]';
    }
    if (kind === 'integer') return 'integer';
    return kind || 'any';
  }

  function schemaBlock(content) {
    var frag = document.createDocumentFragment();
    Object.keys(content || {}).forEach(function (media) {
      var schema = content[media].schema;
      frag.append(el('p', { class: 'media' }, [el('code', { text: media })]));
      if (schema) frag.append(el('pre', { class: 'schema', text: type(schema) }));
    });
    return frag;
  }

  function render() {
    var info = doc.info || {};
    document.getElementById('api-title').textContent = (info.title || 'API') + ' ' + (info.version || '');
    document.getElementById('api-desc').append.apply(document.getElementById('api-desc'), prose(info.description || ''));
    var schemes = (doc.components && doc.components.securitySchemes) || {};
    var paths = doc.paths || {};
    var count = 0;
    Object.keys(paths).forEach(function (path) {
      ['get', 'post', 'put', 'patch', 'delete'].forEach(function (method) {
        var op = paths[path][method];
        if (!op) return;
        count++;
        var id = (method + path).replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '');
        toc.append(el('li', {}, [el('a', { href: '#' + id }, [el('span', { class: 'method m-' + method, text: method.toUpperCase() }), ' ', el('code', { text: path })])]));

        var article = el('article', { class: 'route', id: id, 'aria-labelledby': id + '-h' });
        article.append(el('h2', { id: id + '-h' }, [el('span', { class: 'method m-' + method, text: method.toUpperCase() }), ' ', el('code', { text: path })]));
        if (op.summary) article.append(el('p', { class: 'summary' }, prose(op.summary)));
        if (op.description) article.append(el('p', { class: 'desc' }, prose(op.description)));

        var security = op.security || doc.security;
        var auth = !security || !security.length
          ? 'none'
          : security.map(function (req) {
              var names = Object.keys(req);
              return names.length ? names.map(function (n) { return (schemes[n] && schemes[n].scheme === 'bearer' ? 'Authorization: Bearer' : n); }).join(' + ') : 'none';
            }).join(' or ');
        article.append(el('p', { class: 'auth' }, [el('strong', { text: 'Auth: ' }), auth]));

        var parameters = (op.parameters || []).map(resolve);
        if (parameters.length) {
          article.append(el('h3', { text: 'Parameters' }));
          var table = el('table', {}, [el('thead', {}, [el('tr', {}, ['Name', 'In', 'Type', 'Required', 'Description'].map(function (h) { return el('th', { scope: 'col', text: h }); }))])]);
          var tbody = el('tbody');
          parameters.forEach(function (p) {
            tbody.append(el('tr', {}, [
              el('td', {}, [el('code', { text: p.name })]),
              el('td', { text: p.in }),
              el('td', {}, [el('code', { text: type(p.schema || {}) + notes(resolve(p.schema || {})) })]),
              el('td', { text: p.required ? 'yes' : 'no' }),
              el('td', { text: p.description || (resolve(p.schema || {}).description) || '' }),
            ]));
          });
          table.append(tbody);
          article.append(table);
        }

        if (op.requestBody) {
          var body = resolve(op.requestBody);
          article.append(el('h3', { text: 'Request body' + (body.required ? ' (required)' : '') }));
          article.append(schemaBlock(body.content));
        }

        article.append(el('h3', { text: 'Responses' }));
        var list = el('dl', { class: 'responses' });
        Object.keys(op.responses || {}).sort().forEach(function (code) {
          var r = resolve(op.responses[code]);
          var dd = el('dd', {}, [el('span', { text: r.description || '' })]);
          if (r.content) {
            var details = el('details', {}, [el('summary', { text: 'Schema' })]);
            details.append(schemaBlock(r.content));
            dd.append(details);
          }
          list.append(el('dt', { class: 'code c' + code.charAt(0), text: code }), dd);
        });
        article.append(list);
        out.append(article);
      });
    });
    status.textContent = count + ' routes, from /openapi.json';
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  fetch('/openapi.json', { headers: { Accept: 'application/json' } })
    .then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    })
    .then(function (json) {
      doc = json;
      render();
    })
    .catch(function (err) {
      status.textContent = 'Could not load /openapi.json: ' + err.message;
      status.className = 'notice bad';
    });
})();
