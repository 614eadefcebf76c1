// The level calculator of matrix.html. The rules are internal/assess's
// (Table.Evaluate and Proficiency), applied to the table the page embeds
// (script#calc-data, generated from assess.Compile); render's differential
// test runs this file in a JavaScript engine against internal/assess. Text
// goes into the page with textContent only, never as markup, and nothing
// leaves the browser.
"use strict";
var SkillMatrixCalculator = (function () {
  // Table: {threshold, weight, levels: [[id, name, shortName]], scale: [[id, name]],
  // categories: [name], skills: [[id, name, category, cells]]}; a cell is
  // rank*2 + (1 if required), -1 where nothing counts. A rank of -1 is none.

  function percent(n, d) {
    return d === 0 ? 100 : Math.floor((n * 100) / d);
  }

  // unmetAt lists level i's unmet cells as [skill, level], required first.
  function unmetAt(t, ranks, i) {
    var required = [], other = [];
    t.skills.forEach(function (s, k) {
      var c = s[3][i];
      if (c >= 0 && ranks[k] < c >> 1) (c & 1 ? required : other).push([k, i]);
    });
    return required.concat(other);
  }

  function level(t, ranks, i) {
    var req = [0, 0], other = [0, 0];
    t.skills.forEach(function (s, k) {
      var c = s[3][i];
      if (c < 0) return;
      var count = c & 1 ? req : other;
      count[1]++;
      if (ranks[k] >= c >> 1) count[0]++;
    });
    return {
      met: req[0] === req[1] && other[0] * 100 >= t.threshold * other[1],
      required: req, other: other, otherPercent: percent(other[0], other[1]),
      readiness: percent(t.weight * req[0] + other[0], t.weight * req[1] + other[1])
    };
  }

  // evaluate is assess.Table.Evaluate: ranks has one rank per skill of t.
  function evaluate(t, ranks) {
    var levels = t.levels.map(function (l, i) { return level(t, ranks, i); });
    var current = -1, unmet = [];
    while (current + 1 < levels.length && levels[current + 1].met) current++;
    for (var i = 0; i <= current; i++) unmet = unmet.concat(unmetAt(t, ranks, i));
    var next = current + 1 < levels.length ? current + 1 : -1;
    return {
      current: current, next: next, levels: levels, unmet: unmet,
      readiness: next < 0 ? 100 : levels[next].readiness,
      gaps: next < 0 ? [] : unmetAt(t, ranks, next)
    };
  }

  var SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
  function lower(s) {
    return s.replace(/[A-Z]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) + 32); });
  }

  // rankOf is assess.Proficiency: the rank of a rating, -1 for none,
  // undefined when the scale does not have it.
  function rankOf(t, value) {
    var v = String(value).replace(SPACE, ""), low = lower(v), i;
    if (low === "" || low === "-" || low === "none") return -1;
    for (i = 0; i < t.scale.length; i++) if (t.scale[i][0] === v) return i;
    for (i = 0; i < t.scale.length; i++) {
      if (lower(t.scale[i][0]) === low || lower(t.scale[i][1]) === low) return i;
    }
    return undefined;
  }

  // toRanks resolves a map of skill id to rating: {ranks, ignored, problems}.
  // Skills the Role does not have are ignored (the page cannot know the
  // SkillMatrix's catalog); a rating off the scale is a problem.
  function toRanks(t, ratings) {
    var index = Object.create(null), out = { ranks: t.skills.map(function () { return -1; }), ignored: [], problems: [] };
    t.skills.forEach(function (s, k) { index[s[0]] = k; });
    Object.keys(ratings).sort().forEach(function (id) {
      var k = index[id], r = rankOf(t, ratings[id]);
      if (k === undefined) out.ignored.push(id);
      else if (r === undefined) out.problems.push("proficiency \"" + ratings[id] + "\" of skill \"" + id + "\" is not on the scale (want one of " +
        t.scale.map(function (p) { return p[0]; }).join(", ") + ", or none)");
      else out.ranks[k] = r;
    });
    return out;
  }

  // exportJSON is the ratings as a JSON map (YAML too, as assess reads it).
  function exportJSON(t, ranks) {
    var lines = [];
    t.skills.forEach(function (s, k) {
      if (ranks[k] >= 0) lines.push("  " + JSON.stringify(s[0]) + ": " + JSON.stringify(t.scale[ranks[k]][0]));
    });
    return lines.length ? "{\n" + lines.join(",\n") + "\n}\n" : "{}\n";
  }

  // parseJSON reads an exported file: a map of skill id to text (or null for
  // none, a number for a numeric scale); a key twice is refused, as by assess.
  function parseJSON(text) {
    var v = JSON.parse(text), seen = Object.create(null), depth = 0, m;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("a ratings file is a map of skill id to proficiency, such as {\"docker\": \"W\"}");
    var tokens = /"(?:[^"\\]|\\.)*"(\s*:)?|[{}[\]]/g;
    while ((m = tokens.exec(text))) {
      if (m[0] === "{" || m[0] === "[") depth++;
      else if (m[0] === "}" || m[0] === "]") depth--;
      else if (depth === 1 && m[1]) {
        var key = JSON.parse(m[0].slice(0, m[0].length - m[1].length));
        if (seen[key]) throw new Error("skill \"" + key + "\" is rated twice");
        seen[key] = true;
      }
    }
    var out = Object.create(null);
    Object.keys(v).forEach(function (k) {
      var x = v[k];
      if (x !== null && typeof x === "object") throw new Error("skill \"" + k + "\": want one proficiency such as W, not a list or map");
      out[k] = x === null ? "" : String(x);
    });
    return out;
  }

  // parseCSV reads the CSV assess takes (Go's encoding/csv with # comments and
  // leading space trimmed): skill,proficiency rows, an optional header.
  var LEADING = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
  function csvRecords(text) {
    var s = text.replace(/\r\n/g, "\n").replace(/\r$/, ""), pos = 0, records = [];
    while (pos < s.length) {
      if (s[pos] === "\n" || s[pos] === "#") { // an empty line or a comment
        var nl = s.indexOf("\n", pos);
        pos = nl < 0 ? s.length : nl + 1;
        continue;
      }
      var rec = [];
      for (;;) {
        var eol = s.indexOf("\n", pos);
        pos += LEADING.exec(s.slice(pos, eol < 0 ? s.length : eol))[0].length;
        var field = "";
        if (s[pos] === "\"") {
          for (pos++; ;) {
            var q = s.indexOf("\"", pos);
            if (q < 0) throw new Error("not valid CSV: a quoted field does not end");
            field += s.slice(pos, q);
            pos = q + 1;
            if (s[pos] === "\"") { field += "\""; pos++; continue; }
            if (pos < s.length && s[pos] !== "," && s[pos] !== "\n") throw new Error("not valid CSV: extraneous or missing \" in quoted field");
            break;
          }
        } else {
          var end = pos;
          while (end < s.length && s[end] !== "," && s[end] !== "\n") end++;
          field = s.slice(pos, end);
          if (field.indexOf("\"") >= 0) throw new Error("not valid CSV: bare \" in non-quoted field");
          pos = end;
        }
        rec.push(field);
        if (s[pos] !== ",") break;
        pos++;
      }
      pos++; // the line's end
      records.push(rec);
    }
    return records;
  }

  function parseCSV(text) {
    var out = Object.create(null), n = 0;
    csvRecords(text).forEach(function (rec, i) {
      var skill = rec[0].replace(SPACE, "");
      if (i === 0 && /^(skill|skill_id|skill id)$/.test(lower(skill))) return;
      if (rec.slice(2).join("").replace(SPACE, "") !== "") throw new Error("want two columns, skill and proficiency, got " + rec.length);
      if (skill === "") throw new Error("the skill column is empty");
      if (skill in out) throw new Error("skill \"" + skill + "\" is rated twice");
      out[skill] = rec.length > 1 ? rec[1].replace(SPACE, "") : "";
      n++;
    });
    if (n === 0) throw new Error("the ratings file rates no skill");
    return out;
  }

  // parse reads CSV when csv is true, else JSON; text that starts with "{"
  // is JSON when csv is undefined (pasted text).
  function parse(text, csv) {
    if (csv === undefined) csv = !/^\s*\{/.test(text);
    return csv ? parseCSV(text) : parseJSON(text);
  }

  // The fragment keeps the ratings: #r=skill:ID;skill:ID, each part URI-encoded.
  function toFragment(t, ranks) {
    var parts = [];
    t.skills.forEach(function (s, k) {
      if (ranks[k] >= 0) parts.push(encodeURIComponent(s[0]) + ":" + encodeURIComponent(t.scale[ranks[k]][0]));
    });
    return "#r=" + parts.join(";");
  }
  function fromFragment(hash) {
    var out = Object.create(null);
    if (hash.indexOf("#r=") !== 0) return null;
    try {
      hash.slice(3).split(";").forEach(function (p) {
        var i = p.indexOf(":");
        if (i > 0) out[decodeURIComponent(p.slice(0, i))] = decodeURIComponent(p.slice(i + 1));
      });
    } catch (e) {
      return null; // a mangled link: start from nothing rather than half of it
    }
    return out;
  }

  return {
    evaluate: evaluate, rankOf: rankOf, toRanks: toRanks, parse: parse, exportJSON: exportJSON,
    toFragment: toFragment, fromFragment: fromFragment
  };
})();

(function (C) {
  if (typeof document === "undefined") return;
  var data = document.getElementById("calc-data"), panel = document.getElementById("calculator");
  if (!data || !panel) return;
  var t = JSON.parse(data.textContent), ranks = t.skills.map(function () { return -1; });
  var rows = [], byId = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // One radio group per skill row, in a "You" column.
  document.querySelectorAll("table.matrix thead tr").forEach(function (tr) {
    tr.appendChild(el("th", "You", "you")).scope = "col";
  });
  var rowOf = Object.create(null);
  document.querySelectorAll("table.matrix tbody tr[data-skill]").forEach(function (tr) {
    rowOf[tr.getAttribute("data-skill")] = tr;
  });
  t.skills.forEach(function (s, k) {
    var tr = rowOf[s[0]];
    if (!tr) return;
    rows[k] = tr;
    var td = tr.appendChild(el("td", undefined, "you")), group = td.appendChild(el("div", undefined, "pick"));
    group.setAttribute("role", "radiogroup");
    group.setAttribute("aria-label", "Your proficiency: " + s[1]);
    [["—", "none"]].concat(t.scale).forEach(function (p, r) {
      var label = group.appendChild(el("label")), input = label.appendChild(el("input"));
      input.type = "radio";
      input.name = "calc-" + k;
      input.value = String(r - 1);
      input.checked = r === 0;
      label.title = p[1];
      label.appendChild(el("span", p[0]));
      label.appendChild(el("span", " " + p[1], "vh"));
      input.addEventListener("change", function () { ranks[k] = r - 1; update(); });
    });
  });

  function levelName(i) { return i < 0 ? "" : t.levels[i][1]; }
  function profName(r) { return r < 0 ? "none" : t.scale[r][0] + " " + t.scale[r][1]; }

  // cellList fills ul with cells [skill, level], their expectation and details.
  function cellList(ul, cells, withLevel) {
    ul.textContent = "";
    cells.forEach(function (c) {
      var s = t.skills[c[0]], cell = s[3][c[1]], li = ul.appendChild(el("li"));
      if (withLevel) li.appendChild(el("span", levelName(c[1]) + " · ", "lvl"));
      li.appendChild(el("strong", s[1]));
      li.appendChild(el("span", " (" + t.categories[s[2]] + "): expected " + profName(cell >> 1) + ", yours " + profName(ranks[c[0]])));
      if (cell & 1) li.appendChild(el("span", " · required", "reqtag"));
      var pop = rows[c[0]] && rows[c[0]].cells[c[1] + 1].querySelector(".pop");
      if (pop) {
        var d = li.appendChild(el("details")), body = d.appendChild(el("div", undefined, "cell"));
        d.insertBefore(el("summary", "What it means"), body);
        Array.prototype.forEach.call(pop.children, function (n) {
          if (!n.classList.contains("head")) body.appendChild(n.cloneNode(true));
        });
      }
    });
  }

  function update() {
    var res = C.evaluate(t, ranks), frag = C.toFragment(t, ranks);
    byId("calc-current").textContent = res.current < 0 ? "none yet: below " + levelName(0) : levelName(res.current);
    byId("calc-next").textContent = res.next < 0 ? "none: " + levelName(res.current) + " is the top level" : levelName(res.next);
    byId("calc-meter").value = res.readiness;
    byId("calc-ready").textContent = res.readiness + "% ready";
    byId("calc-gaps-head").textContent = res.next < 0 ? "No gaps: every level is met" :
      "Gaps to " + levelName(res.next) + ": " + res.gaps.length + " (" + res.gaps.filter(function (g) { return t.skills[g[0]][3][g[1]] & 1; }).length + " required)";
    cellList(byId("calc-gaps"), res.gaps, false);
    byId("calc-unmet-head").textContent = res.current < 0 ? "" :
      "Unmet at " + levelName(res.current) + " and below: " + res.unmet.length;
    cellList(byId("calc-unmet"), res.unmet, true);
    byId("calc-summary").textContent = "Current level: " + byId("calc-current").textContent + ". Next: " +
      byId("calc-next").textContent + (res.next < 0 ? "." : ", " + res.readiness + "% ready, " + res.gaps.length + " gaps.");
    rows.forEach(function (tr, k) {
      t.skills[k][3].forEach(function (c, i) {
        tr.cells[i + 1].classList.toggle("ok", c >= 0 && ranks[k] >= c >> 1);
      });
    });
    byId("calc-link").href = frag;
    byId("calc-text").value = C.exportJSON(t, ranks);
    var want = frag === "#r=" ? "" : frag;
    if (location.hash !== want) {
      try {
        history.replaceState(null, "", want || location.href.split("#")[0]);
      } catch (e) {
        // Some file:// set-ups refuse; the link above still carries the ratings.
      }
    }
    return res;
  }

  // load applies ratings (a map), reporting ignored skills and problems.
  function load(ratings, from) {
    var r = C.toRanks(t, ratings), msg = byId("calc-msg");
    if (r.problems.length) {
      msg.textContent = from + ": " + r.problems.join("; ");
      return;
    }
    ranks = r.ranks;
    rows.forEach(function (tr, k) { tr.querySelectorAll("input")[ranks[k] + 1].checked = true; });
    msg.textContent = r.ignored.length ? from + ": ignored " + r.ignored.join(", ") + " (not skills of this Role)" : "";
    update();
  }

  function loadText(text, from, csv) {
    try {
      load(C.parse(text, csv), from);
    } catch (e) {
      byId("calc-msg").textContent = from + ": " + e.message;
    }
  }

  byId("calc-import").addEventListener("click", function () { loadText(byId("calc-text").value, "pasted ratings"); });
  byId("calc-file").addEventListener("change", function (e) {
    var f = e.target.files[0];
    if (!f) return;
    f.text().then(function (text) { loadText(text, f.name, /\.csv$/i.test(f.name)); });
  });
  byId("calc-export").addEventListener("click", function () {
    var a = el("a");
    a.href = URL.createObjectURL(new Blob([C.exportJSON(t, ranks)], { type: "application/json" }));
    a.download = t.role + "-ratings.json";
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 0);
  });
  byId("calc-clear").addEventListener("click", function () { load({}, "cleared"); });
  window.addEventListener("hashchange", function () {
    var r = C.fromFragment(location.hash);
    if (r) load(r, "link");
  });

  panel.hidden = false;
  document.documentElement.classList.add("calc");
  var initial = C.fromFragment(location.hash);
  if (initial) load(initial, "link");
  else update();
  C.state = function () { return { ranks: ranks.slice(), result: C.evaluate(t, ranks) }; };
})(SkillMatrixCalculator);
