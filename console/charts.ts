/*
 * One inline-SVG line chart per metric: the canary's value at each check, the primary's
 * beside it when the check measured it, and the threshold. Each canary point shows the
 * metric's verdict: a filled dot passed, a hollow one was inconclusive, a red square failed.
 * Compare metrics plot this check's bad-event percentage (5xx, or slower than the bound). An expression of browser
 * JavaScript kept as a string (see page.ts); it uses no template literals.
 */
export const CONSOLE_CHARTS = `(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var W = 320, H = 150, LEFT = 46, RIGHT = 10, TOP = 12, BOTTOM = 26;
  var LABELS = {
    'request-success-rate': { label: 'Success rate', unit: '%' },
    'request-duration': { label: 'p99 latency', unit: ' ms' }
  };
  var COMPARE_LABELS = {
    'request-success-rate': { label: 'Errors (compare)', unit: '%' },
    'request-duration': { label: 'Slow requests (compare)', unit: '%' }
  };
  var VERDICT_COLOUR = { fail: '#b42318', inconclusive: '#ffffff', pass: '#d9730d' };

  function svg(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function usable(v) { return typeof v === 'number' && isFinite(v); }
  function round(v) { return Math.round(v * 100) / 100; }

  function series(checks, name) {
    return checks.map(function (check) {
      var m = check.metrics.find(function (x) { return x.name === name; });
      return {
        weight: check.weight,
        canary: m && usable(m.value) ? m.value : null,
        primary: m && usable(m.primaryValue) ? m.primaryValue : null,
        range: (m && m.thresholdRange) || {},
        verdict: m ? m.verdict : null,
        compare: !!(m && m.judge === 'compare')
      };
    });
  }

  function path(points, key, x, y) {
    var d = '';
    var pen = false;
    points.forEach(function (p, i) {
      if (p[key] === null) { pen = false; return; }
      d += (pen ? ' L ' : ' M ') + x(i).toFixed(1) + ' ' + y(p[key]).toFixed(1);
      pen = true;
    });
    return d.trim();
  }

  function chart(name, points) {
    var compare = points.some(function (p) { return p.compare; });
    var info = (compare ? COMPARE_LABELS[name] : LABELS[name]) || { label: name, unit: (compare ? '%' : '') };
    var range = points.length ? points[points.length - 1].range : {};
    var values = [];
    points.forEach(function (p) {
      if (p.canary !== null) values.push(p.canary);
      if (p.primary !== null) values.push(p.primary);
    });
    if (usable(range.min)) values.push(range.min);
    if (usable(range.max)) values.push(range.max);
    var lo = values.length ? Math.min.apply(null, values) : 0;
    var hi = values.length ? Math.max.apply(null, values) : 1;
    var pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.05 || 1;
    lo -= pad; hi += pad;
    var n = points.length;
    var x = function (i) { return n < 2 ? LEFT + (W - LEFT - RIGHT) / 2 : LEFT + i * (W - LEFT - RIGHT) / (n - 1); };
    var y = function (v) { return TOP + (hi - v) * (H - TOP - BOTTOM) / (hi - lo); };

    var last = points[n - 1] || {};
    var summary = info.label + ' across ' + n + ' checks. Latest: canary ' +
      (last.canary === null || last.canary === undefined ? 'no data' : round(last.canary) + info.unit) +
      (last.primary !== null && last.primary !== undefined ? ', primary ' + round(last.primary) + info.unit : '') +
      (usable(range.min) ? '; threshold at least ' + range.min + info.unit : '') +
      (usable(range.max) ? '; threshold at most ' + range.max + info.unit : '') + '.';
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'aria-label': summary });
    root.append(svg('title', {}, summary));
    root.append(svg('line', { x1: LEFT, y1: TOP, x2: LEFT, y2: H - BOTTOM, stroke: '#8c959f' }));
    root.append(svg('line', { x1: LEFT, y1: H - BOTTOM, x2: W - RIGHT, y2: H - BOTTOM, stroke: '#8c959f' }));
    [hi - pad, lo + pad].forEach(function (v) {
      root.append(svg('text', { x: LEFT - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#57606a' }, String(round(v))));
    });
    ['min', 'max'].forEach(function (bound) {
      if (!usable(range[bound])) return;
      root.append(svg('line', { x1: LEFT, x2: W - RIGHT, y1: y(range[bound]), y2: y(range[bound]), stroke: '#b42318', 'stroke-dasharray': '2 3' }));
    });
    var step = Math.max(1, Math.ceil(n / 8));
    points.forEach(function (p, i) {
      if (i % step === 0 || i === n - 1)
        root.append(svg('text', { x: x(i), y: H - 8, 'text-anchor': 'middle', 'font-size': 10, fill: '#57606a' }, p.weight + '%'));
    });
    var primary = path(points, 'primary', x, y);
    if (primary) root.append(svg('path', { d: primary, fill: 'none', stroke: '#6e7781', 'stroke-width': 2, 'stroke-dasharray': '5 3' }));
    var canary = path(points, 'canary', x, y);
    if (canary) root.append(svg('path', { d: canary, fill: 'none', stroke: '#d9730d', 'stroke-width': 2.5 }));
    points.forEach(function (p, i) {
      if (p.canary === null) return;
      var dot = p.verdict === 'fail'
        ? svg('rect', { x: x(i) - 4, y: y(p.canary) - 4, width: 8, height: 8, fill: VERDICT_COLOUR.fail, class: 'verdict-fail' })
        : svg('circle', { cx: x(i), cy: y(p.canary), r: p.verdict === 'inconclusive' ? 3.5 : 3,
            fill: VERDICT_COLOUR[p.verdict] || '#d9730d', stroke: '#d9730d', 'stroke-width': 1.5,
            class: 'verdict-' + (p.verdict || 'none') });
      dot.append(svg('title', {}, 'check ' + (i + 1) + ' at ' + p.weight + '%: canary ' + round(p.canary) + info.unit +
        (p.primary !== null ? ', primary ' + round(p.primary) + info.unit : '') +
        (p.verdict ? ' (' + p.verdict + ')' : '')));
      root.append(dot);
    });

    var figure = document.createElement('figure');
    var caption = document.createElement('figcaption');
    caption.textContent = info.label + (info.unit ? ' (' + info.unit.trim() + ')' : '');
    var legend = document.createElement('div');
    legend.className = 'legend';
    [['canary', '#d9730d'], ['primary', '#6e7781'], [compare ? 'failed check' : 'threshold', '#b42318']].forEach(function (item) {
      var span = document.createElement('span');
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = item[1];
      span.append(swatch, item[0]);
      legend.append(span);
    });
    figure.append(caption, root, legend);
    return figure;
  }

  return {
    render: function (container, checks) {
      container.textContent = '';
      var names = [];
      checks.forEach(function (check) {
        check.metrics.forEach(function (m) { if (names.indexOf(m.name) < 0) names.push(m.name); });
      });
      if (!names.length) {
        var none = document.createElement('p');
        none.className = 'muted';
        none.textContent = 'No checks yet.';
        container.append(none);
        return;
      }
      names.forEach(function (name) { container.append(chart(name, series(checks, name))); });
    }
  };
})()`;
