-- wrk script: sends prepared requests in turn, read from the file named by the first script
-- argument (one per line: method, path, headers joined by " || ", body; separated by tabs).
-- The second argument is wrk's thread count: request n of thread t is line n * threads + t, so
-- no two threads send the same line (each sign-up pair is tried once) until the list wraps.
dofile(os.getenv("WRK_REPORT_LUA"))

local next_thread = 0

function setup(thread)
  thread:set("id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  requests, counter, threads = {}, 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    local method, path, header_text, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    for header in header_text:gmatch("[^|]+") do
      local name, value = header:match("^%s*([^:]+):%s*(.-)%s*$")
      if name then headers[name] = value end
    end
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  local index = (counter * threads + id) % #requests + 1
  counter = counter + 1
  return requests[index]
end
