/**
 * Lua scripts of the Redis records store. Each runs atomically in Redis, so a
 * record, its index sets and the expiry index never disagree, and consume is
 * one compare-and-set. Layout (prefix P, default `gh:`):
 *   P r:<len(kind)>:<kind>:<id>  hash: k kind, sub, sess, cli, gr, c created, e expires, u consumed, p payload JSON
 *   P g:<grantId> / P s:<subjectId> / P x:<sessionId>   sets of record keys
 *   P c:<clientId>                                      set of keys of records listing the client in cids (JSON array)
 *   P exp                                               sorted set of record keys by expiresAt
 * Records and index sets carry a TTL (expiry plus a grace period), so Redis
 * frees them even without purge. Scripts name keys in ARGV: a single Redis, not Redis Cluster.
 */

const PRELUDE = `
local P = ARGV[1]
local function unindex(key)
  local f = redis.call('HMGET', key, 'gr', 'sub', 'sess', 'cids')
  if f[1] then redis.call('SREM', P .. 'g:' .. f[1], key) end
  if f[2] then redis.call('SREM', P .. 's:' .. f[2], key) end
  if f[3] then redis.call('SREM', P .. 'x:' .. f[3], key) end
  if f[4] then for _, c in ipairs(cjson.decode(f[4])) do redis.call('SREM', P .. 'c:' .. c, key) end end
  redis.call('ZREM', P .. 'exp', key)
end
local function remove(key)
  if redis.call('EXISTS', key) == 0 then return 0 end
  unindex(key)
  redis.call('DEL', key)
  return 1
end
local function add_to(set, key, ttl)
  redis.call('SADD', set, key)
  if redis.call('TTL', set) < ttl then redis.call('EXPIRE', set, ttl) end
end
`;

/** ARGV: P, key, ttl, mode ('put' | 'ifabsent'), now, field, value, ... -> 1 written, 0 refused. */
export const WRITE = `${PRELUDE}
local key, ttl, mode, now = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
if mode == 'ifabsent' then
  local e = redis.call('HGET', key, 'e')
  if e and tonumber(e) > now then return 0 end
end
local fields, gr, sub, sess, cids, exp = {}, nil, nil, nil, nil, 0
for i = 6, #ARGV, 2 do
  local f, v = ARGV[i], ARGV[i + 1]
  fields[#fields + 1] = f
  fields[#fields + 1] = v
  if f == 'gr' then gr = v elseif f == 'sub' then sub = v elseif f == 'sess' then sess = v elseif f == 'cids' then cids = v elseif f == 'e' then exp = tonumber(v) end
end
remove(key)
redis.call('HSET', key, unpack(fields))
redis.call('EXPIRE', key, ttl)
if gr then add_to(P .. 'g:' .. gr, key, ttl) end
if sub then add_to(P .. 's:' .. sub, key, ttl) end
if sess then add_to(P .. 'x:' .. sess, key, ttl) end
if cids then for _, c in ipairs(cjson.decode(cids)) do add_to(P .. 'c:' .. c, key, ttl) end end
redis.call('ZADD', P .. 'exp', exp, key)
return 1
`;

/** ARGV: P, key, now -> the hash as a flat list after marking it consumed, or nil when absent or already consumed. */
export const CONSUME = `
local key = ARGV[2]
if redis.call('EXISTS', key) == 0 or redis.call('HEXISTS', key, 'u') == 1 then return false end
redis.call('HSET', key, 'u', ARGV[3])
return redis.call('HGETALL', key)
`;

/** ARGV: P, key -> 1 deleted, 0 absent. */
export const DELETE = `${PRELUDE}
return remove(ARGV[2])
`;

/**
 * ARGV: P, index set, index field ('gr' | 'sub' | 'sess'), value, has client ('1'|'0'), client, has kind, kind
 * -> number deleted. Members whose record is gone or moved are dropped from the set.
 */
export const DELETE_BY_INDEX = `${PRELUDE}
local set, field, value = ARGV[2], ARGV[3], ARGV[4]
local hasCli, cli, hasKind, kind = ARGV[5] == '1', ARGV[6], ARGV[7] == '1', ARGV[8]
local n = 0
for _, key in ipairs(redis.call('SMEMBERS', set)) do
  local f = redis.call('HMGET', key, field, 'cli', 'k')
  if f[1] ~= value then
    redis.call('SREM', set, key)
  elseif (not hasCli or f[2] == cli) and (not hasKind or f[3] == kind) then
    n = n + remove(key)
  end
end
return n
`;

/**
 * ARGV: P, now, batch -> { deleted, examined }: at most `batch` expiry entries
 * per call, so one purge never blocks Redis for long; the caller repeats
 * while examined == batch.
 */
export const PURGE = `${PRELUDE}
local now = tonumber(ARGV[2])
local n = 0
local keys = redis.call('ZRANGEBYSCORE', P .. 'exp', '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, key in ipairs(keys) do
  local e = redis.call('HGET', key, 'e')
  if e and tonumber(e) <= now then n = n + remove(key) else redis.call('ZREM', P .. 'exp', key) end
end
return { n, #keys }
`;
