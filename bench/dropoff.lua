-- wrk script of the throughput runs (bench.measure): each wrk thread is one tablet.
--
--   wrk -t4 -c4 -d20s -s bench/dropoff.lua http://127.0.0.1:PORT -- MODE PATH [ARGS...]
--
-- MODE intake: log in as a volunteer (the login page's CSRF token, then the session
--   cookie), open the dropoff table (its CSRF token), then post the 5-line dropoff again and
--   again as htmx does, each with a fresh idempotency key.
--   ARGS: username password location item,item,...
-- MODE floor: post the same dropoff to the floor view (bench.floor), which needs no login.
--   ARGS: location item,item,... hub user source_type
-- MODE get: GET PATH again and again (the floor's bare GET: what the client itself can do).
--
-- done() prints one line, "WRK_JSON {...}": dropoffs (or GETs) answered as expected, the
-- others, and wrk's latency percentiles of every request; in intake mode also one line
-- "WRK_SESSIONS ..." with each tablet's session cookie, CSRF cookie and token. A run given
-- them back in the environment (DH_WRK_SESSIONS) starts logged in, one tablet per thread:
-- bench.measure logs in during the warm-up run, so that the measured run times dropoffs,
-- not the password hasher (slow on purpose).

local mode, path, args
local state = "ready"
cookies = {}
token = ""
ok, bad = 0, 0

function init(argv)
  mode, path = argv[1], argv[2]
  args = { select(3, unpack(argv)) }
  if mode == "intake" then
    state = "login-page"
    -- Set by setup() from DH_WRK_SESSIONS: "sessionid csrftoken token".
    if preset then
      local session, csrf, form_token = preset:match("^(%S+) (%S+) (%S+)$")
      cookies = { sessionid = session, csrftoken = csrf }
      token = form_token
      state = "ready"
    end
  end
  -- Seeded apart per thread: each thread runs in its own Lua state.
  local address = tostring({}):match("0x(%x+)") or "0"
  math.randomseed(os.time() + tonumber(address, 16) % 1000003)
end

local function fresh_key()
  local parts = {}
  for n = 1, 8 do
    parts[n] = string.format("%04x", math.random(0, 65535))
  end
  return table.concat(parts)
end

local function cookie_header()
  local parts = {}
  for name, value in pairs(cookies) do
    parts[#parts + 1] = name .. "=" .. value
  end
  return table.concat(parts, "; ")
end

local function dropoff_body(location, items)
  local body = "idempotency_key=" .. fresh_key() .. "&location=" .. location
    .. "&donor_name=&donor_contact="
  for item in string.gmatch(items, "[^,]+") do
    body = body .. "&item=" .. item .. "&quantity=1&expiry_date=&outcome=accepted&redirected_to="
  end
  return body
end

local FORM = "application/x-www-form-urlencoded"

function request()
  if state == "login-page" then
    return wrk.format("GET", "/accounts/login/", { Cookie = cookie_header() })
  elseif state == "login" then
    local body = "csrfmiddlewaretoken=" .. token .. "&username=" .. args[1] .. "&password=" .. args[2]
    return wrk.format("POST", "/accounts/login/", { ["Content-Type"] = FORM, Cookie = cookie_header() }, body)
  elseif state == "table" then
    return wrk.format("GET", path, { Cookie = cookie_header() })
  elseif mode == "intake" then
    local headers = {
      ["Content-Type"] = FORM,
      Cookie = cookie_header(),
      ["X-CSRFToken"] = token,
      ["HX-Request"] = "true",
      ["HX-Target"] = "intake",
    }
    return wrk.format("POST", path, headers, dropoff_body(args[3], args[4]))
  elseif mode == "floor" then
    local body = dropoff_body(args[1], args[2]) .. "&hub=" .. args[3] .. "&user=" .. args[4]
      .. "&source_type=" .. args[5]
    return wrk.format("POST", path, { ["Content-Type"] = FORM }, body)
  end
  return wrk.format("GET", path)
end

local function keep_cookie(headers)
  -- wrk keeps one value per header name: the last Set-Cookie of a response. The login's
  -- last is the session; the CSRF cookie it rotates is not needed, the one sent still
  -- matches the token of the page read next.
  local set = headers["Set-Cookie"] or headers["set-cookie"]
  if set then
    local name, value = set:match("^%s*([^=]+)=([^;]*)")
    if name then
      cookies[name] = value
    end
  end
end

function response(status, headers, body)
  keep_cookie(headers)
  if state == "login-page" then
    token = body:match('name="csrfmiddlewaretoken" value="([^"]+)"') or ""
    state = "login"
  elseif state == "login" then
    if status ~= 302 or not cookies["sessionid"] then
      error("login of " .. args[1] .. " failed: " .. status)
    end
    state = "table"
  elseif state == "table" then
    token = body:match('name="csrfmiddlewaretoken" value="([^"]+)"') or ""
    state = "ready"
  elseif status == 200 and (
    (mode == "intake" and body:find("/dropoffs/%d+/undo/"))
    or (mode == "floor" and body:match("^%d+$"))
    or mode == "get"
  ) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

local threads = {}
local presets = {}
for preset in string.gmatch(os.getenv("DH_WRK_SESSIONS") or "", "[^,]+") do
  presets[#presets + 1] = preset
end

function setup(thread)
  threads[#threads + 1] = thread
  if presets[#threads] then
    thread:set("preset", presets[#threads])
  end
end

function done(summary, latency, requests)
  local answered, refused = 0, 0
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("ok")
    refused = refused + thread:get("bad")
  end
  local sessions = {}
  for _, thread in ipairs(threads) do
    local kept = thread:get("cookies")
    if kept and kept["sessionid"] and kept["csrftoken"] then
      sessions[#sessions + 1] = kept["sessionid"] .. " " .. kept["csrftoken"] .. " " .. thread:get("token")
    end
  end
  if #sessions > 0 then
    io.write("WRK_SESSIONS ", table.concat(sessions, ","), "\n")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"ok": %d, "bad": %d, "requests": %d, "seconds": %.3f, "socket_errors": %d,'
      .. ' "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    answered, refused, summary.requests, summary.duration / 1e6,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000
  ))
end
