/* The monthly chart of the supervision page: coverage and attendance, in percent. */
(function () {
  var source = document.getElementById("chart-data");
  var canvas = document.getElementById("supervision-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.coverageLabel, data: data.coverage, backgroundColor: "rgba(183, 28, 28, 0.75)" },
        { type: "line", label: data.attendanceLabel, data: data.attendance, borderColor: "#555", backgroundColor: "#555", tension: 0.2 }
      ]
    },
    options: {
      responsive: true,
      scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
  canvas.dataset.rendered = "1";
})();
