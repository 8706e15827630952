"""The generic cell rate algorithm (GCRA) as one Redis script: read, decide and write every key in one round trip.

Each key stores its *theoretical arrival time* (TAT), in microseconds of the Redis server's clock
(``redis.call('TIME')``: the processes that share a quota need not agree on the time). With ``interval`` =
period / limit, a request at ``now`` is allowed when ``max(TAT, now) + interval - period <= now``; it then moves the
TAT to ``max(TAT, now) + interval``. So ``limit`` requests pass at once, then one per ``interval`` — the quota refills
continuously, with no window edge where twice the limit passes. The key expires when its quota is whole again.

Several keys are decided together: the request passes only if every key allows it, and only then is it counted for
each (a refused request costs no key anything). The script answers
``{allowed (0/1), remaining, retry_after_us, reset_us}``: remaining is the lowest over the keys, reset the longest
time until a key's quota is whole, retry-after (when refused) the longest wait for a key that refused.

Scripts run atomically, so concurrent requests are decided one after the other. Values are integers written with
``%.0f``: Lua numbers are doubles, exact for microseconds far past the year 2200.
"""

from __future__ import annotations

from typing import Final

GCRA_SCRIPT: Final = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tats = {}
local retry_after = 0
local reset = 0
for index, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tats[index] = tat
  local allowed_at = tat + interval - period
  if allowed_at > now and allowed_at - now > retry_after then retry_after = allowed_at - now end
end
if retry_after > 0 then
  for index = 1, #KEYS do
    if tats[index] - now > reset then reset = tats[index] - now end
  end
  return {0, 0, string.format('%.0f', retry_after), string.format('%.0f', reset)}
end
local remaining = -1
for index, key in ipairs(KEYS) do
  local new_tat = tats[index] + interval
  local filled_in = new_tat - now
  redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.ceil(filled_in / 1000))
  local left = math.floor((period - filled_in) / interval)
  if remaining < 0 or left < remaining then remaining = left end
  if filled_in > reset then reset = filled_in end
end
return {1, remaining, 0, string.format('%.0f', reset)}
"""
