"""Classes in Redis: several replicas of the app share them (``make class``; a managed Redis).

A class is six keys that share the hash tag ``{CODE}`` (so they sit together on a Redis Cluster):

    bp:{CODE}:meta       hash: key (the key's SHA-256), version, answers, nq, current, ended, view
    bp:{CODE}:seen       sorted set: follower -> last seen
    bp:{CODE}:questions  hash: <qid> -> question JSON, <qid>:state -> open/closed/revealed
    bp:{CODE}:answers    hash: <qid>:<follower> -> index of its choice
    bp:{CODE}:counts     hash: <qid>:<index> -> answers
    bp:{CODE}:flood      hash: w -> the minute, <follower> -> answers sent in it, * -> all of them

Every operation that changes a class is one Lua script, so it is atomic whatever the other
replicas do. Each use sets the keys to expire LIFETIME_S later; a follower's presence only follows
the class's expiry. The lecturer key's hash is compared in Lua with ``==``: comparing hashes, not
keys, leaks nothing an attacker can use; ``is_lecturer`` compares in constant time anyway.
"""

from __future__ import annotations

import json
import time

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from ui.serve.classes import (ANSWERS_PER_MINUTE, CLASS_ANSWERS_PER_MINUTE, CREATES_PER_HOUR, ENDED_KEEP_S,
                              LIFETIME_S, MAX_MEMBERS, MAX_QUESTIONS, PRESENT_S, ClassState, QuestionSummary,
                              Unavailable, checked_follower, checked_qid, checked_question, checked_view,
                              key_hash, minute, new_code, new_key, normal_code, public_question, refusal,
                              same_key)

_PRELUDE = """
local M, S, Q, A, N, F = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local function status()
  local e = redis.call('HGET', M, 'ended')
  if not e then return 'gone' elseif e == '1' then return 'ended' else return 'live' end
end
local function lecturer(h)
  local s = status()
  if s ~= 'live' then return s end
  if redis.call('HGET', M, 'key') ~= h then return 'lecturer' end
  return nil
end
local function touch(ttl)
  for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
end
"""

_CREATE = """
if redis.call('EXISTS', M) == 1 then return {'no', 'taken'} end
redis.call('DEL', S, Q, A, N, F)
redis.call('HSET', M, 'key', ARGV[1], 'version', 0, 'answers', 0, 'nq', 0, 'current', 0, 'ended', 0,
           'view', '{}')
touch(ARGV[2])
return {'ok', 1}
"""

_LEAD = """
local no = lecturer(ARGV[1]) if no then return {'no', no} end
redis.call('HSET', M, 'view', ARGV[2])
local v = redis.call('HINCRBY', M, 'version', 1)
touch(ARGV[3])
return {'ok', v}
"""

_SEEN = """
local s = status() if s ~= 'live' then return {'no', s} end
if not redis.call('ZSCORE', S, ARGV[1]) and redis.call('ZCARD', S) >= tonumber(ARGV[3]) then
  return {'no', 'full'}
end
redis.call('ZADD', S, ARGV[2], ARGV[1])
local ttl = redis.call('PTTL', M)
if ttl > 0 then redis.call('PEXPIRE', S, ttl) end
return {'ok', 1}
"""

_POSE = """
local no = lecturer(ARGV[1]) if no then return {'no', no} end
local n = tonumber(redis.call('HGET', M, 'nq'))
if n >= tonumber(ARGV[3]) then return {'no', 'questions'} end
local cur = redis.call('HGET', M, 'current')
if cur ~= '0' and redis.call('HGET', Q, cur .. ':state') == 'open' then
  redis.call('HSET', Q, cur .. ':state', 'closed')
end
n = n + 1
redis.call('HSET', M, 'nq', n, 'current', n)
redis.call('HSET', Q, n, ARGV[2], n .. ':state', 'open')
redis.call('HINCRBY', M, 'version', 1)
touch(ARGV[4])
return {'ok', n}
"""

_SET_STATE = """
local no = lecturer(ARGV[1]) if no then return {'no', no} end
local was = redis.call('HGET', Q, ARGV[2] .. ':state')
if not was then return {'no', 'question'} end
if was ~= 'revealed' and was ~= ARGV[3] then
  redis.call('HSET', Q, ARGV[2] .. ':state', ARGV[3])
  redis.call('HINCRBY', M, 'version', 1)
end
touch(ARGV[4])
return {'ok', 1}
"""

_ANSWER = """
local s = status() if s ~= 'live' then return {'no', s} end
local who, qid = ARGV[1], ARGV[2]
if not redis.call('ZSCORE', S, who) then return {'no', 'stranger'} end
if redis.call('HGET', F, 'w') ~= ARGV[4] then
  redis.call('DEL', F)
  redis.call('HSET', F, 'w', ARGV[4])
  redis.call('EXPIRE', F, 120)
end
if redis.call('HINCRBY', F, who, 1) > tonumber(ARGV[5]) then return {'no', 'flood'} end
if redis.call('HINCRBY', F, '*', 1) > tonumber(ARGV[6]) then return {'no', 'class flood'} end
local q = redis.call('HGET', Q, qid)
if not q then return {'no', 'question'} end
if redis.call('HGET', Q, qid .. ':state') ~= 'open' then return {'no', 'closed'} end
local i = nil
for j, c in ipairs(cjson.decode(q)['choices']) do
  if c == ARGV[3] then i = tostring(j - 1) end
end
if not i then return {'no', 'choice'} end
local before = redis.call('HGET', A, qid .. ':' .. who)
if before == i then touch(ARGV[7]) return {'ok', 0} end
if before then redis.call('HINCRBY', N, qid .. ':' .. before, -1) end
redis.call('HSET', A, qid .. ':' .. who, i)
redis.call('HINCRBY', N, qid .. ':' .. i, 1)
redis.call('HINCRBY', M, 'answers', 1)
touch(ARGV[7])
return {'ok', 1}
"""

_END = """
local no = lecturer(ARGV[1]) if no then return {'no', no} end
redis.call('HSET', M, 'ended', 1, 'view', '{}')
redis.call('HINCRBY', M, 'version', 1)
redis.call('DEL', S, A, F)
for _, k in ipairs({M, Q, N}) do redis.call('EXPIRE', k, ARGV[2]) end
return {'ok', 1}
"""

_STAMP = """
local m = redis.call('HMGET', M, 'version', 'answers')
if not m[1] then return false end
return {tonumber(m[1]), tonumber(m[2]), redis.call('ZCOUNT', S, ARGV[1], '+inf')}
"""

# version, answers, ended, view, current, following[, question JSON, its state, its counts...]
_STATE = """
local m = redis.call('HMGET', M, 'version', 'answers', 'ended', 'view', 'current')
if not m[1] then return false end
local out = {m[1], m[2], m[3], m[4], m[5], redis.call('ZCOUNT', S, ARGV[1], '+inf')}
if m[5] ~= '0' and m[3] ~= '1' then
  local q = redis.call('HGET', Q, m[5])
  out[7] = q
  out[8] = redis.call('HGET', Q, m[5] .. ':state')
  for i = 0, #cjson.decode(q)['choices'] - 1 do
    out[9 + i] = redis.call('HGET', N, m[5] .. ':' .. i) or '0'
  end
end
return out
"""

# question JSON, then its counts; or a reason
_COUNTS = """
if redis.call('EXISTS', M) == 0 then return {'no', 'gone'} end
local q = redis.call('HGET', Q, ARGV[1])
if not q then return {'no', 'question'} end
local out = {'ok', q}
for i = 0, #cjson.decode(q)['choices'] - 1 do
  out[3 + i] = redis.call('HGET', N, ARGV[1] .. ':' .. i) or '0'
end
return out
"""


class RedisClassStore:
    """``ClassStore`` in the Redis at ``url``; ``clock`` (seconds: presence, floods) is injectable."""

    def __init__(self, url: str, clock=time.time, prefix: str = "bp"):
        self.clock = clock
        self.prefix = prefix
        # A Redis restarted under the replicas (``make class`` does it after a crash) drops their
        # connections: the next call reconnects and tries again rather than failing a student's click.
        self.db = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5,
                                       health_check_interval=30, retry=Retry(ExponentialBackoff(0.2, 0.02), 3))
        self._scripts = {name: self.db.register_script(_PRELUDE + body) for name, body in [
            ("create", _CREATE), ("lead", _LEAD), ("seen", _SEEN), ("pose", _POSE), ("set_state", _SET_STATE),
            ("answer", _ANSWER), ("end", _END), ("stamp", _STAMP), ("state", _STATE), ("counts", _COUNTS)]}

    def __repr__(self) -> str:
        where = self.db.connection_pool.connection_kwargs
        return f"RedisClassStore({where.get('host', where.get('path'))}:{where.get('port', '')})"

    # --------------------------------------------------------------- calling Redis

    def keys(self, code: str) -> list[str]:
        """The class's six keys (see the module's docstring)."""
        return [f"{self.prefix}:{{{code}}}:{part}" for part in ("meta", "seen", "questions", "answers", "counts",
                                                                 "flood")]

    def _run(self, name: str, code, *args, refuse: bool = True):
        """Run script ``name`` for ``code``; a refusal it returns is raised (unless ``refuse`` is False)."""
        normal = normal_code(code)
        if normal is None:
            raise refusal("gone", code)
        try:
            out = self._scripts[name](keys=self.keys(normal), args=args)
        except redis.RedisError as e:
            raise self._unavailable(e) from None
        if refuse and isinstance(out, list) and out and out[0] == "no":
            raise refusal(out[1], normal)
        return out

    @staticmethod
    def _unavailable(error: Exception) -> Unavailable:
        full = "OOM" in str(error)
        return Unavailable("The class server is out of memory: end a class, or ask the administrator."
                           if full else "The class server cannot be reached just now: try again in a moment.")

    # --------------------------------------------------------------- the lecturer

    def create(self) -> tuple[str, str]:
        hour = int(self.clock() // 3600)
        try:
            made = self.db.incr(f"{self.prefix}:created:{hour}")
            self.db.expire(f"{self.prefix}:created:{hour}", 7200)
        except redis.RedisError as e:
            raise self._unavailable(e) from None
        if made > CREATES_PER_HOUR:
            raise refusal("creates")
        key, hashed = new_key()
        while True:
            code = new_code()
            if self._run("create", code, hashed, LIFETIME_S, refuse=False)[0] == "ok":
                return code, key

    def is_lecturer(self, code, key) -> bool:
        code = normal_code(code)
        if code is None or not key_hash(key):
            return False
        try:
            return same_key(self.db.hget(self.keys(code)[0], "key"), key)
        except redis.RedisError as e:
            raise self._unavailable(e) from None

    def lead(self, code, key, view) -> int:
        return self._run("lead", code, key_hash(key), checked_view(view), LIFETIME_S)[1]

    def pose(self, code, key, question) -> int:
        return self._run("pose", code, key_hash(key), checked_question(question), MAX_QUESTIONS, LIFETIME_S)[1]

    def close(self, code, key, qid) -> None:
        self._run("set_state", code, key_hash(key), checked_qid(qid), "closed", LIFETIME_S)

    def reveal(self, code, key, qid) -> None:
        self._run("set_state", code, key_hash(key), checked_qid(qid), "revealed", LIFETIME_S)

    def summary(self, code, key) -> list[QuestionSummary]:
        normal = normal_code(code)
        if normal is None:
            raise refusal("gone", code)
        meta, _, questions, _, counts, _ = self.keys(normal)
        try:
            with self.db.pipeline(transaction=True) as p:
                stored, asked, counted = p.hget(meta, "key").hgetall(questions).hgetall(counts).execute()
        except redis.RedisError as e:
            raise self._unavailable(e) from None
        if stored is None:
            raise refusal("gone", normal)
        if not same_key(stored, key):
            raise refusal("lecturer")
        rows = []
        for qid in sorted((int(k) for k in asked if k.isdigit())):
            q = json.loads(asked[str(qid)])
            rows.append(QuestionSummary(q["text"], q["choices"], {c: int(counted.get(f"{qid}:{i}", 0))
                                                                 for i, c in enumerate(q["choices"])}, q["answer"]))
        return rows

    def end(self, code, key) -> None:
        self._run("end", code, key_hash(key), ENDED_KEEP_S)

    # --------------------------------------------------------------- followers

    def exists(self, code) -> bool:
        code = normal_code(code)
        try:
            return code is not None and self.db.hget(self.keys(code)[0], "ended") == "0"
        except redis.RedisError as e:
            raise self._unavailable(e) from None

    def view(self, code) -> tuple[int, dict] | None:
        code = normal_code(code)
        if code is None:
            return None
        try:
            version, view, ended = self.db.hmget(self.keys(code)[0], "version", "view", "ended")
        except redis.RedisError as e:
            raise self._unavailable(e) from None
        return None if version is None or ended == "1" else (int(version), json.loads(view))

    def seen(self, code, follower) -> None:
        self._run("seen", code, checked_follower(follower), repr(self.clock()), MAX_MEMBERS)

    def following(self, code) -> int:
        state = self.state(code)
        if state is None or state.ended:
            raise refusal("ended" if state else "gone", code)
        return state.following

    def answer(self, code, follower, qid, choice) -> bool:
        out = self._run("answer", code, checked_follower(follower), checked_qid(qid),
                        choice if isinstance(choice, str) else "", minute(self.clock()),
                        ANSWERS_PER_MINUTE, CLASS_ANSWERS_PER_MINUTE, LIFETIME_S)
        return out[1] == 1

    def counts(self, code, qid) -> dict[str, int]:
        out = self._run("counts", code, checked_qid(qid))
        return dict(zip(json.loads(out[1])["choices"], map(int, out[2:])))

    def current_question(self, code) -> dict | None:
        state = self.state(code)
        if state is None or state.ended:
            raise refusal("ended" if state else "gone", code)
        return state.question

    # --------------------------------------------------------------- the endpoint

    def stamp(self, code) -> tuple[int, int, int] | None:
        if normal_code(code) is None:
            return None
        out = self._run("stamp", code, repr(self.clock() - PRESENT_S), refuse=False)
        return tuple(out) if out else None

    def state(self, code) -> ClassState | None:
        if normal_code(code) is None:
            return None
        out = self._run("state", code, repr(self.clock() - PRESENT_S), refuse=False)
        if not out:
            return None
        version, answers, ended, view, current, following = out[:6]
        question = counts = None
        if len(out) > 6:
            question = public_question(int(current), json.loads(out[6]), out[7])
            counts = [int(n) for n in out[8:]]
        return ClassState(int(version), json.loads(view), question, counts, int(following), int(answers),
                          ended == "1")
