/* Draws the charts of a page from the JSON the server put in <script type="application/json"> blocks. */
(function () {
  "use strict";
  var COLOURS = ["#9e1b1b", "#d9822b", "#2b6cb0", "#2f855a", "#6b46c1", "#b7791f", "#319795", "#c53030",
                 "#4a5568", "#d53f8c", "#2c7a7b", "#744210", "#1a202c"];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw(canvas, data, type) {
    if (!canvas || !data || typeof Chart === "undefined") { return; }
    var names = Object.keys(data.series);
    new Chart(canvas, {
      type: type || "line",
      data: {
        labels: data.labels,
        datasets: names.map(function (name, index) {
          return {
            label: data.series[name],
            data: data[name] || (data.values && data.values[name]) || [],
            borderColor: COLOURS[index % COLOURS.length],
            backgroundColor: COLOURS[index % COLOURS.length],
            tension: 0.2
          };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      draw(canvas, readJson(canvas.dataset.chart), canvas.dataset.chartType);
    });
    /* Charts whose figures take longer come after the page, so the table shows at once. */
    document.querySelectorAll("canvas[data-chart-url]").forEach(function (canvas) {
      fetch(canvas.dataset.chartUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { draw(canvas, data, canvas.dataset.chartType); });
    });
  });
})();
