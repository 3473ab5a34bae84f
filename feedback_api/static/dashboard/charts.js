/* Draws the dashboard's charts with Chart.js from the JSON the page embeds: one chart
   ({"kind", "data"}) or several ({"charts": [{"kind", "data"}, ...]}). */
(function () {
  "use strict";
  var node = document.getElementById("kb-chart-data");
  if (!node || typeof Chart === "undefined") return;
  var spec = JSON.parse(node.textContent);
  var green = "#1a7f5a", blue = "#3554c7", red = "#b42318", amber = "#b54708", grey = "rgba(120,130,150,0.25)";
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

  function peak(values) {
    return Math.max.apply(null, values.filter(function (v) { return v !== null; }).concat([1]));
  }

  var draw = {
    trend: function (canvas, d) {
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
                                  suggestedMax: peak(d.votes) * 3 } })
        }
      });
    },
    journey: function (canvas, d) {
      new Chart(canvas, {
        data: {
          labels: d.labels,
          datasets: [
            { type: "line", label: "Readers per contact (" + d.window + "-day)", data: d.score, yAxisID: "score",
              borderColor: green, backgroundColor: green, tension: 0.25, spanGaps: true, pointRadius: 0 },
            { type: "bar", label: "Contacts", data: d.contacts, yAxisID: "contacts", backgroundColor: red },
            { type: "bar", label: "Views", data: d.views, yAxisID: "views", backgroundColor: grey }
          ]
        },
        options: {
          maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
          scales: {
            score: { type: "linear", position: "left", beginAtZero: true,
                     title: { display: true, text: "Readers per contact" }, grid: { color: "#eceef3" } },
            contacts: { type: "linear", position: "right", beginAtZero: true,
                        suggestedMax: peak(d.contacts) * 2,
                        title: { display: true, text: "Contacts" }, grid: { drawOnChartArea: false } },
            views: { type: "linear", display: false, beginAtZero: true, suggestedMax: peak(d.views) * 1.5 }
          }
        }
      });
    },
    funnel: function (canvas, d) {
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [{ label: "Searches", data: d.search,
                       backgroundColor: [blue, blue, green, amber, red] }]
        },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    },
    revisions: function (canvas, d) {
      new Chart(canvas, {
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
  };

  // Each kind draws on the canvas of the same id (trend, journey, funnel, revisions).
  (spec.charts || [spec]).forEach(function (c) {
    var canvas = document.getElementById(c.kind);
    if (canvas && draw[c.kind]) draw[c.kind](canvas, c.data);
  });
})();
