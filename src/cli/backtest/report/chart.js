/* Charts of a backtest report, run in the browser from the report file itself (no network). */
/* global uPlot, document, window, requestAnimationFrame */
(function () {
  'use strict';

  var COLORS = { price: '#1d2430', HIGH: '#c62828', LOW: '#1565c0', INSIDE: '#2e7d32' };
  var HEIGHT = 320;
  var report = JSON.parse(document.getElementById('backtest-data').textContent);

  /** Alert markers on top of the series: a triangle up (HIGH) or down (LOW) at the alert tick's time and price. */
  function markers(alerts, element) {
    return {
      hooks: {
        draw: [
          function (u) {
            var ctx = u.ctx;
            var box = u.bbox;
            var min = u.scales.x.min;
            var max = u.scales.x.max;
            var size = 6 * uPlot.pxRatio;
            var drawn = 0;
            ctx.save();
            ctx.beginPath();
            // Clip to the plot, widened by a marker: one on the first or last tick stays whole.
            ctx.rect(box.left - 2 * size, box.top - 2 * size, box.width + 4 * size, box.height + 4 * size);
            ctx.clip();
            for (var i = 0; i < alerts.length; i++) {
              var a = alerts[i];
              if (a[0] < min || a[0] > max) continue;
              var x = u.valToPos(a[0], 'x', true);
              var y = u.valToPos(a[1], 'y', true);
              var high = a[2] === 1;
              var inside = a[2] === 2;
              ctx.beginPath();
              if (inside) {
                // A diamond on the price: a run inside a channel.
                ctx.moveTo(x, y - size);
                ctx.lineTo(x + size, y);
                ctx.lineTo(x, y + size);
                ctx.lineTo(x - size, y);
              } else if (high) {
                ctx.moveTo(x, y - size * 1.6);
                ctx.lineTo(x - size, y - size * 0.1);
                ctx.lineTo(x + size, y - size * 0.1);
              } else {
                ctx.moveTo(x, y + size * 1.6);
                ctx.lineTo(x - size, y + size * 0.1);
                ctx.lineTo(x + size, y + size * 0.1);
              }
              ctx.closePath();
              ctx.fillStyle = inside ? COLORS.INSIDE : high ? COLORS.HIGH : COLORS.LOW;
              ctx.strokeStyle = '#fff';
              ctx.lineWidth = uPlot.pxRatio;
              ctx.fill();
              ctx.stroke();
              drawn++;
            }
            ctx.restore();
            // What the page shows, for people who inspect it and for the report's browser test.
            element.dataset.markersDrawn = String(drawn);
          },
        ],
      },
    };
  }

  /** The x range a chart may show: its data, never beyond. */
  function clamp(u, min, max, full) {
    var span = Math.min(max - min, full.max - full.min);
    if (min < full.min) {
      min = full.min;
      max = min + span;
    }
    if (max > full.max) {
      max = full.max;
      min = max - span;
    }
    u.setScale('x', { min: min, max: max });
  }

  function zoom(u, factor, center, full) {
    var min = u.scales.x.min;
    var max = u.scales.x.max;
    var at = center === undefined ? (min + max) / 2 : center;
    var span = Math.max((max - min) * factor, 0.001);
    var left = (at - min) / (max - min || 1);
    clamp(u, at - span * left, at - span * left + span, full);
  }

  function pan(u, fraction, full) {
    var span = u.scales.x.max - u.scales.x.min;
    clamp(u, u.scales.x.min + span * fraction, u.scales.x.max + span * fraction, full);
  }

  /** Ctrl (or ⌘) + wheel zooms around the pointer; Shift + drag pans. A plain drag selects a range to zoom into. */
  function interaction(full) {
    return {
      hooks: {
        ready: [
          function (u) {
            u.over.addEventListener(
              'wheel',
              function (e) {
                if (!e.ctrlKey && !e.metaKey) return;
                e.preventDefault();
                var at = u.posToVal(e.offsetX, 'x');
                zoom(u, e.deltaY < 0 ? 0.8 : 1.25, at, full);
              },
              { passive: false },
            );
            u.root.addEventListener(
              'mousedown',
              function (e) {
                if (!e.shiftKey || e.button !== 0) return;
                e.stopPropagation();
                e.preventDefault();
                var startX = e.clientX;
                var startMin = u.scales.x.min;
                var startMax = u.scales.x.max;
                var perPixel = (startMax - startMin) / u.over.clientWidth;
                function move(ev) {
                  var shift = (startX - ev.clientX) * perPixel;
                  clamp(u, startMin + shift, startMax + shift, full);
                }
                function up() {
                  document.removeEventListener('mousemove', move);
                  document.removeEventListener('mouseup', up);
                }
                document.addEventListener('mousemove', move);
                document.addEventListener('mouseup', up);
              },
              true,
            );
          },
        ],
      },
    };
  }

  /**
   * The price axis: the prices, widened to a threshold when it lies within one price range of them, so a threshold far
   * away does not flatten the line (its legend entry still gives its value, and the note says it is off the chart).
   */
  function priceRange(spec) {
    var lo = Infinity;
    var hi = -Infinity;
    for (var i = 0; i < spec.y.length; i++) {
      if (spec.y[i] < lo) lo = spec.y[i];
      if (spec.y[i] > hi) hi = spec.y[i];
    }
    var span = Math.max(hi - lo, Math.abs(hi) * 0.02, 0.01);
    var off = [];
    [
      ['above', spec.rule.above],
      ['below', spec.rule.below],
    ].forEach(function (t) {
      if (t[1] >= lo - span && t[1] <= hi + span) {
        lo = Math.min(lo, t[1]);
        hi = Math.max(hi, t[1]);
      } else {
        off.push(t[0] + ' ' + t[1]);
      }
    });
    var pad = Math.max((hi - lo) * 0.06, 0.01);
    return { min: lo - pad, max: hi + pad, off: off };
  }

  function constant(length, value) {
    var out = new Array(length);
    for (var i = 0; i < length; i++) out[i] = value;
    return out;
  }

  var charts = [];
  report.charts.forEach(function (spec, index) {
    var element = document.querySelector('[data-chart="' + index + '"]');
    if (!element) return;
    var xs = spec.x;
    var full = { min: xs[0], max: xs[xs.length - 1] };
    if (full.max === full.min) {
      full.min -= 1;
      full.max += 1;
    }
    var prices = priceRange(spec);
    var note = document.querySelector('[data-note="' + index + '"]');
    if (note && prices.off.length > 0) note.textContent = 'Off the chart: ' + prices.off.join(', ') + ' (far from every price).';
    var options = {
      width: Math.max(element.clientWidth, 320),
      height: HEIGHT,
      tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
      },
      scales: {
        x: {
          time: true,
          range: function (u, min, max) {
            return min === max ? [min - 1, max + 1] : [min, max];
          },
        },
        y: {
          range: function () {
            return [prices.min, prices.max];
          },
        },
      },
      cursor: { drag: { x: true, y: false, setScale: true } },
      series: [
        { label: 'time (UTC)' },
        { label: 'price', stroke: COLORS.price, width: 1 },
        { label: 'above ' + spec.rule.above, stroke: COLORS.HIGH, width: 1, dash: [6, 4], points: { show: false } },
        { label: 'below ' + spec.rule.below, stroke: COLORS.LOW, width: 1, dash: [6, 4], points: { show: false } },
      ],
      axes: [{}, { size: 70 }],
      plugins: [markers(spec.alerts, element), interaction(full)],
    };
    var u = new uPlot(options, [xs, spec.y, constant(xs.length, spec.rule.above), constant(xs.length, spec.rule.below)], element);
    charts.push({ u: u, element: element });
    var toolbar = document.querySelector('[data-toolbar="' + index + '"]');
    if (toolbar) {
      toolbar.addEventListener('click', function (e) {
        var action = e.target && e.target.getAttribute && e.target.getAttribute('data-action');
        if (action === 'in') zoom(u, 0.5, undefined, full);
        else if (action === 'out') zoom(u, 2, undefined, full);
        else if (action === 'left') pan(u, -0.25, full);
        else if (action === 'right') pan(u, 0.25, full);
        else if (action === 'reset') u.setScale('x', { min: full.min, max: full.max });
      });
    }
  });

  window.addEventListener('resize', function () {
    charts.forEach(function (c) {
      c.u.setSize({ width: Math.max(c.element.clientWidth, 320), height: HEIGHT });
    });
  });

  requestAnimationFrame(function () {
    document.body.dataset.chartsReady = String(charts.length);
  });
})();
