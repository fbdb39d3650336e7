# Flattens one JSON document into "path<TAB>value" lines (strings unescaped, arrays indexed from
# 0, e.g. "mounts.0.destination\t/var"), so busybox sh can read runtime.json without jq.
function err(m) { printf "json.awk: %s at offset %d\n", m, pos > "/dev/stderr"; bad = 1; exit 1 }
function ws() { while (pos <= n && index(" \t\r\n", substr(s, pos, 1))) pos++ }
function str(   out, c, h) {
  out = ""; pos++
  while (pos <= n) {
    c = substr(s, pos, 1)
    if (c == "\"") { pos++; return out }
    if (c == "\\") {
      pos++; c = substr(s, pos, 1)
      if (c == "n") out = out "\n"; else if (c == "t") out = out "\t"
      else if (c == "r") out = out "\r"; else if (c == "b" || c == "f") out = out
      else if (c == "u") { h = substr(s, pos + 1, 4); pos += 4; out = out (h ~ /^00[2-7]/ ? sprintf("%c", hex(h)) : "?") }
      else out = out c
      pos++; continue
    }
    out = out c; pos++
  }
  err("unterminated string")
}
function hex(h,   i, v) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
function val(path,   c, k, i, v) {
  ws(); c = substr(s, pos, 1)
  if (c == "{") {
    pos++; ws()
    if (substr(s, pos, 1) == "}") { pos++; return }
    while (1) {
      ws(); if (substr(s, pos, 1) != "\"") err("expected a key")
      k = str(); ws()
      if (substr(s, pos, 1) != ":") err("expected :")
      pos++; val(path == "" ? k : path "." k); ws()
      c = substr(s, pos, 1); pos++
      if (c == "}") return
      if (c != ",") err("expected , or }")
    }
  }
  if (c == "[") {
    pos++; ws(); i = 0
    if (substr(s, pos, 1) == "]") { pos++; return }
    while (1) {
      val(path == "" ? i : path "." i); i++; ws()
      c = substr(s, pos, 1); pos++
      if (c == "]") return
      if (c != ",") err("expected , or ]")
    }
  }
  if (c == "\"") { v = str(); print path "\t" v; return }
  if (match(substr(s, pos), /^(true|false|null|-?[0-9][0-9.eE+-]*)/)) {
    print path "\t" substr(s, pos, RLENGTH); pos += RLENGTH; return
  }
  err("unexpected character")
}
{ s = s $0 "\n" }
END { if (bad) exit 1; n = length(s); pos = 1; val(""); }
