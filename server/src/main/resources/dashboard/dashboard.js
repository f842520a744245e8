// klpfleet dashboard: draws the charts a page declares (data-chart) with ECharts and keeps the page
// current by fetching it again every few seconds (only <main>, same origin). No inline script: the CSP forbids it.
(function () {
  'use strict';
  var POLL_MS = 5000;

  function parse(el, name) {
    try { return JSON.parse(el.getAttribute(name) || 'null'); } catch (e) { return null; }
  }

  function draw() {
    if (typeof echarts === 'undefined') { return; }
    document.querySelectorAll('.chart').forEach(function (el) {
      var old = echarts.getInstanceByDom(el);
      if (old) { old.dispose(); }
      var labels = parse(el, 'data-labels') || [];
      var kind = el.getAttribute('data-chart');
      var series = [];
      if (kind === 'bar') {
        series = [{ type: 'bar', data: parse(el, 'data-values') || [] }];
      } else {
        var s = parse(el, 'data-series') || {};
        Object.keys(s).forEach(function (name) {
          var one = { name: name, type: 'bar', data: s[name] };
          if (kind === 'stack') { one.stack = 'hosts'; }
          series.push(one);
        });
      }
      echarts.init(el, null, { renderer: 'canvas' }).setOption({
        animation: false,
        title: { text: el.getAttribute('data-title') || '', textStyle: { fontSize: 13 } },
        tooltip: {}, legend: { top: 20 }, grid: { top: 50, bottom: 30, left: 50, right: 10 },
        xAxis: { type: 'category', data: labels }, yAxis: { type: 'value' }, series: series
      });
    });
  }

  function poll() {
    // Do not replace a page the operator is typing into.
    if (document.querySelector('main form input:focus')) { return; }
    fetch(window.location.href, { headers: { 'X-Dashboard-Poll': '1' }, credentials: 'same-origin', redirect: 'manual' })
      .then(function (r) { return r.status === 200 ? r.text() : null; })
      .then(function (html) {
        if (html !== null) {
          document.getElementById('main').innerHTML = html;
          draw();
          document.body.setAttribute('data-polled', String(Date.now()));
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  draw();
  if (!document.querySelector('main form[method="post"]')) {
    window.setInterval(poll, POLL_MS);
  }
})();
