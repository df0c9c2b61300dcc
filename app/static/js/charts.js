/* Draws every .portal-chart with plotly.js (loaded before this file): the figure comes from the
   <script type="application/json" id="<chart id>-data"> next to it, the toolbar's Chinese texts
   from <script type="application/json" id="plotly-locale"> (report/_macros.html). Data blocks,
   not inline code: the Content-Security-Policy runs no inline script without a nonce. */
(function () {
  'use strict';
  if (!window.Plotly) { return; }
  var locale = document.getElementById('plotly-locale');
  var texts = locale ? JSON.parse(locale.textContent) : {};
  var dictionary = {
    'Download plot as a png': texts.download, 'Download plot': texts.download,
    'Autoscale': texts.autoscale, 'Reset axes': texts.reset,
    'Zoom in': texts.zoom_in, 'Zoom out': texts.zoom_out, 'Double-click to zoom back out': texts.double_click,
    'Click to enter Colorscale title': '', 'Click to enter Component A title': '',
    'Click to enter Plot title': '', 'Click to enter X axis title': '', 'Click to enter Y axis title': ''
  };
  Plotly.register({moduleType: 'locale', name: 'zh-CN', dictionary: dictionary,
                   format: {decimal: '.', thousands: ','}});
  var config = {responsive: true, displaylogo: false, locale: 'zh-CN', showLink: false, showSendToCloud: false,
                topojsonURL: '', modeBarButtons: [['toImage', 'resetScale2d']],
                toImageButtonOptions: {format: 'png', scale: 2}};
  document.querySelectorAll('.portal-chart').forEach(function (el) {
    var src = document.getElementById(el.id + '-data');
    if (!src) { return; }
    var fig = JSON.parse(src.textContent);
    Plotly.newPlot(el, fig.data, fig.layout, config);
    el.on('plotly_click', function (ev) {
      var cd = ev && ev.points && ev.points[0] && ev.points[0].customdata;
      if (Array.isArray(cd) && typeof cd[1] === 'string' && cd[1].charAt(0) === '/') { window.location.href = cd[1]; }
    });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('.portal-chart').forEach(function (el) { Plotly.Plots.resize(el); });
  });
})();
