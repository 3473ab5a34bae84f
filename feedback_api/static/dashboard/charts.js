/* Draws the dashboard's charts with Chart.js from the JSON the page embeds. */
(function () {
  "use strict";
  var node = document.getElementById("kb-chart-data");
  if (!node || typeof Chart === "undefined") return;
  var spec = JSON.parse(node.textContent);
  var d = spec.data;
  var green = "#1a7f5a", blue = "#3554c7", grey = "rgba(120,130,150,0.25)";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#4a5060";
  Chart.defaults.animation = false;

  function axes(extra) {
    var scales = {
      csat: { type: "linear", position: "left", min: 0, max: 100,
              title: { display: true, text: "CSAT %" }, grid: { color: "#eceef3" } },
      ces: { type: "linear", position: "right", min: 1, max: 7,
             title: { display: true, text: "CES (1–7)" }, grid: { drawOnChartArea: false } }
    };
    for (var k in extra) scales[k] = extra[k];
    return scales;
  }

  if (spec.kind === "trend") {
    var canvas = document.getElementById("trend");
    if (!canvas) return;
    new Chart(canvas, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "line", label: "CSAT % (" + d.window + "-day)", data: d.csat, yAxisID: "csat", borderColor: green,
            backgroundColor: green, tension: 0.25, spanGaps: true, pointRadius: 0 },
          { type: "line", label: "CES (" + d.window + "-day)", data: d.ces, yAxisID: "ces", borderColor: blue,
            backgroundColor: blue, tension: 0.25, spanGaps: true, pointRadius: 0 },
          { type: "bar", label: "Votes", data: d.votes, yAxisID: "votes",
            backgroundColor: grey }
        ]
      },
      options: {
        maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: axes({ votes: { type: "linear", display: false, beginAtZero: true,
                                suggestedMax: Math.max.apply(null, d.votes.concat([1])) * 3 } })
      }
    });
  } else if (spec.kind === "revisions") {
    var rc = document.getElementById("revisions");
    if (!rc) return;
    new Chart(rc, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "bar", label: "CSAT %", data: d.csat, yAxisID: "csat",
            backgroundColor: "rgba(26,127,90,0.75)" },
          { type: "line", label: "CSAT 95% low", data: d.low, yAxisID: "csat",
            borderColor: green, borderDash: [4, 4], pointRadius: 3, showLine: false },
          { type: "line", label: "CSAT 95% high", data: d.high, yAxisID: "csat",
            borderColor: green, borderDash: [4, 4], pointRadius: 3, showLine: false },
          { type: "line", label: "CES", data: d.ces, yAxisID: "ces", borderColor: blue,
            backgroundColor: blue, pointRadius: 5 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { afterBody: function (items) {
          return items.length ? "Votes: " + d.votes[items[0].dataIndex] : "";
        } } } },
        scales: axes({})
      }
    });
  }
})();
