/* Data monitoring charts: each <div data-chart-options="ID"> is drawn by the vendored
 * Apache ECharts from the JSON in <script type="application/json" id="ID">. The data
 * table next to every chart is always in the page; the chart is an image of it
 * (role="img", its aria-label summarises it, and ECharts' aria module repeats that). */
(function () {
  "use strict";

  function percent(value) {
    return value === null || value === undefined || value === "-" || isNaN(value)
      ? "无数据" : value + "%";
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart-options"));
    if (!source || !window.echarts) { return; }
    var options = JSON.parse(source.textContent);
    var height = options.height || 320;
    delete options.height;
    if (options.percent) {
      // A chart with one series per colour asks for the hovered bar only ("item"):
      // the axis tooltip would list the other colours' empty slots as "无数据".
      options.tooltip = {
        trigger: options.tooltipTrigger || "axis", valueFormatter: percent, confine: true
      };
      delete options.percent;
      delete options.tooltipTrigger;
    }
    options.aria = {
      enabled: true,
      label: { description: container.getAttribute("aria-label") || "" }
    };
    options.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    container.hidden = false;
    container.style.height = height + "px";
    var chart = window.echarts.init(container, null, { renderer: "svg" });
    chart.setOption(options);
    window.addEventListener("resize", function () { chart.resize(); });
    container.setAttribute("data-chart-ready", "true");
  }

  function drawAll() {
    var containers = document.querySelectorAll("[data-chart-options]");
    for (var i = 0; i < containers.length; i++) { draw(containers[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
