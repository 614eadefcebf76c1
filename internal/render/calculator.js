// The level calculator of matrix.html. The rules are internal/assess's
// (Table.Evaluate and Proficiency), applied to the table the page embeds
// (script#calc-data, generated from assess.Compile); render's differential
// test runs this file in a JavaScript engine against internal/assess. Text
// goes into the page with textContent only, never as markup, and nothing
// leaves the browser.
"use strict";
var SkillMatrixCalculator = (function () {
  // Table: {threshold, weight, levels: [[id, name, shortName]], scale: [[id, name]],
  // categories: [name], skills: [[id, name, category, cells]], text}; a cell
  // is rank*2 + (1 if required), -1 where nothing counts. A rank of -1 is
  // none. text holds every sentence the page shows, with {0}, {1}... for
  // the values: the script has no words of its own.

  function say(t, key) {
    var args = arguments;
    return t.text[key].replace(/\{(\d+)\}/g, function (m, i) { return String(args[Number(i) + 2]); });
  }

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
      else if (r === undefined) out.problems.push(say(t, "offScale", ratings[id], id, t.scale.map(function (p) { return p[0]; }).join(", ")));
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

  // tooLong refuses a key longer than a skill id can be (assess.MaxSkillIDLength
  // characters, counted as code points like Go counts runes).
  var MAX_SKILL_ID = 63;
  function tooLong(t, skill) {
    var chars = Array.from(skill);
    if (chars.length > MAX_SKILL_ID) throw new Error(say(t, "tooLong", chars.slice(0, 20).join(""), chars.length, MAX_SKILL_ID));
  }

  // parseJSON reads an exported file: a map of skill id to text (or null for
  // none, a number for a numeric scale); a key twice is refused, as by assess.
  function parseJSON(t, text) {
    var v = JSON.parse(text), seen = Object.create(null), depth = 0, m;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(say(t, "notAMap"));
    var tokens = /"(?:[^"\\]|\\.)*"(\s*:)?|[{}[\]]/g;
    while ((m = tokens.exec(text))) {
      if (m[0] === "{" || m[0] === "[") depth++;
      else if (m[0] === "}" || m[0] === "]") depth--;
      else if (depth === 1 && m[1]) {
        var key = JSON.parse(m[0].slice(0, m[0].length - m[1].length));
        tooLong(t, key);
        if (seen[key]) throw new Error(say(t, "twice", key));
        seen[key] = true;
      }
    }
    var out = Object.create(null);
    Object.keys(v).forEach(function (k) {
      var x = v[k];
      if (x !== null && typeof x === "object") throw new Error(say(t, "notOne", k));
      out[k] = x === null ? "" : String(x);
    });
    return out;
  }

  // parseCSV reads the CSV assess takes (Go's encoding/csv with # comments and
  // leading space trimmed): skill,proficiency rows, an optional header.
  var LEADING = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
  function csvRecords(t, text) {
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
            if (q < 0) throw new Error(say(t, "csvOpenQuote"));
            field += s.slice(pos, q);
            pos = q + 1;
            if (s[pos] === "\"") { field += "\""; pos++; continue; }
            if (pos < s.length && s[pos] !== "," && s[pos] !== "\n") throw new Error(say(t, "csvQuote"));
            break;
          }
        } else {
          var end = pos;
          while (end < s.length && s[end] !== "," && s[end] !== "\n") end++;
          field = s.slice(pos, end);
          if (field.indexOf("\"") >= 0) throw new Error(say(t, "csvBareQuote"));
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

  function parseCSV(t, text) {
    var out = Object.create(null), n = 0;
    csvRecords(t, text).forEach(function (rec, i) {
      var skill = rec[0].replace(SPACE, "");
      if (i === 0 && /^(skill|skill_id|skill id)$/.test(lower(skill))) return;
      if (rec.slice(2).join("").replace(SPACE, "") !== "") throw new Error(say(t, "columns", rec.length));
      if (skill === "") throw new Error(say(t, "noSkill"));
      tooLong(t, skill);
      if (skill in out) throw new Error(say(t, "twice", skill));
      out[skill] = rec.length > 1 ? rec[1].replace(SPACE, "") : "";
      n++;
    });
    if (n === 0) throw new Error(say(t, "nothing"));
    return out;
  }

  // parse reads CSV when csv is true, else JSON; text that starts with "{"
  // is JSON when csv is undefined (pasted text).
  function parse(t, text, csv) {
    if (csv === undefined) csv = !/^\s*\{/.test(text);
    return csv ? parseCSV(t, text) : parseJSON(t, text);
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
    say: say, evaluate: evaluate, rankOf: rankOf, toRanks: toRanks, parse: parse, exportJSON: exportJSON,
    toFragment: toFragment, fromFragment: fromFragment
  };
})();

// The cells' and skills' pop-ups (details elements): one open at a time,
// closed by Escape (focus goes back to the cell) or a click anywhere else.
(function () {
  if (typeof document === "undefined") return;
  var POPS = "td.more details, th.more details";
  function closeAll(except) {
    Array.prototype.forEach.call(document.querySelectorAll("td.more details[open], th.more details[open]"), function (d) {
      if (d !== except) d.open = false;
    });
  }
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d.open && d.matches && d.matches(POPS)) closeAll(d);
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("td.more details[open], th.more details[open]");
    if (!open) return;
    closeAll(null);
    open.querySelector("summary").focus();
  });
  document.addEventListener("click", function (e) {
    var inside = e.target && e.target.closest ? e.target.closest(POPS) : null;
    closeAll(inside);
  });
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
    tr.appendChild(el("th", C.say(t, "you"), "you")).scope = "col";
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
    group.setAttribute("aria-label", C.say(t, "pick", s[1]));
    [[C.say(t, "noneMark"), C.say(t, "none")]].concat(t.scale).forEach(function (p, r) {
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
  function profName(r) { return r < 0 ? C.say(t, "none") : t.scale[r][0] + " " + t.scale[r][1]; }

  // cellList fills ul with cells [skill, level], their expectation and details.
  function cellList(ul, cells, withLevel) {
    ul.textContent = "";
    cells.forEach(function (c) {
      var s = t.skills[c[0]], cell = s[3][c[1]], li = ul.appendChild(el("li"));
      if (withLevel) li.appendChild(el("span", levelName(c[1]) + " · ", "lvl"));
      li.appendChild(el("strong", s[1]));
      li.appendChild(el("span", C.say(t, "cell", t.categories[s[2]], profName(cell >> 1), profName(ranks[c[0]]))));
      if (cell & 1) li.appendChild(el("span", C.say(t, "required"), "reqtag"));
      var pop = rows[c[0]] && rows[c[0]].cells[c[1] + 1].querySelector(".pop");
      if (pop) {
        var d = li.appendChild(el("details")), body = d.appendChild(el("div", undefined, "cell"));
        d.insertBefore(el("summary", C.say(t, "details")), body);
        Array.prototype.forEach.call(pop.children, function (n) {
          if (!n.classList.contains("head")) body.appendChild(n.cloneNode(true));
        });
      }
    });
  }

  // bar is the result that stays in view at the bottom of the screen while
  // rating in the matrix, with a link to the gaps.
  var bar = byId("calc-bar"), barText = null;
  if (bar) {
    barText = bar.appendChild(el("span"));
    bar.appendChild(document.createTextNode(" "));
    bar.appendChild(el("a", C.say(t, "barDetails"))).href = "#calculator";
    bar.hidden = false;
  }

  function update() {
    var res = C.evaluate(t, ranks), frag = C.toFragment(t, ranks);
    var rated = ranks.some(function (r) { return r >= 0; });
    var required = res.gaps.filter(function (g) { return t.skills[g[0]][3][g[1]] & 1; }).length;
    byId("calc-current").textContent = res.current < 0 ? C.say(t, "below", levelName(0)) : levelName(res.current);
    byId("calc-next").textContent = res.next < 0 ? C.say(t, "top", levelName(res.current)) : levelName(res.next);
    byId("calc-meter").value = res.readiness;
    byId("calc-ready").textContent = C.say(t, "ready", res.readiness);
    // Before any rating every cell is a gap: say how to start instead.
    byId("calc-gaps-head").textContent = !rated ? C.say(t, "rateFirst") : res.next < 0 ? C.say(t, "noGaps") :
      C.say(t, "gaps", levelName(res.next), res.gaps.length, required);
    cellList(byId("calc-gaps"), rated ? res.gaps : [], false);
    if (barText) {
      barText.textContent = !rated ? C.say(t, "rateFirst") : res.next < 0 ? C.say(t, "barTop", levelName(res.current)) :
        C.say(t, "bar", byId("calc-current").textContent, levelName(res.next), res.readiness);
    }
    byId("calc-unmet-head").textContent = res.current < 0 ? "" : C.say(t, "unmet", levelName(res.current), res.unmet.length);
    cellList(byId("calc-unmet"), res.unmet, true);
    byId("calc-summary").textContent = C.say(t, res.next < 0 ? "summaryTop" : "summary",
      byId("calc-current").textContent, byId("calc-next").textContent, res.readiness, res.gaps.length);
    rows.forEach(function (tr, k) {
      t.skills[k][3].forEach(function (c, i) {
        tr.cells[i + 1].classList.toggle("ok", c >= 0 && ranks[k] >= c >> 1);
      });
    });
    byId("calc-link").href = frag;
    byId("calc-text").value = C.exportJSON(t, ranks);
    syncAddress();
    return res;
  }

  // syncAddress keeps the ratings in the address without a history entry.
  // Browsers throttle rapid rewrites (and some file:// set-ups refuse them):
  // then it tries again a little later; the link above has them meanwhile.
  var retry = 0;
  function syncAddress() {
    var frag = C.toFragment(t, ranks), want = frag === "#r=" ? "" : frag;
    clearTimeout(retry);
    // Nothing rated: an anchor such as #matrix stays; only old ratings go.
    if (location.hash === want || (want === "" && location.hash.indexOf("#r=") !== 0)) return;
    try {
      history.replaceState(null, "", want || location.href.split("#")[0]);
    } catch (e) {
      retry = setTimeout(syncAddress, 1000);
    }
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
    msg.textContent = r.ignored.length ? C.say(t, "ignored", from, r.ignored.join(", ")) : "";
    update();
  }

  function loadText(text, from, csv) {
    try {
      load(C.parse(t, text, csv), from);
    } catch (e) {
      byId("calc-msg").textContent = from + ": " + e.message;
    }
  }

  byId("calc-import").addEventListener("click", function () { loadText(byId("calc-text").value, C.say(t, "pasted")); });
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
  byId("calc-clear").addEventListener("click", function () { load({}, ""); });
  window.addEventListener("hashchange", function () {
    var r = C.fromFragment(location.hash);
    if (r) load(r, C.say(t, "link"));
  });

  panel.hidden = false;
  var toc = byId("toc-calc");
  if (toc) toc.hidden = false;
  var initial = C.fromFragment(location.hash);
  if (initial) load(initial, C.say(t, "link"));
  else update();
  // state reads the ratings and the answer, for the browser test and the console.
  C.state = function () { return { ranks: ranks.slice(), result: C.evaluate(t, ranks) }; };
})(SkillMatrixCalculator);
