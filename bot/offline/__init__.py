"""An offline Discord: what the tests, the benchmarks and the offline console all drive.

    server.py        FakeDiscord: REST v10 + gateway on 127.0.0.1, put together from
      world.py         the state model (guilds, channels, messages, commands, sessions) and waiting on it
      model.py         constants, snowflakes, the JSON of users, roles, channels, guilds
      validation.py    what Discord refuses (limits, blank fields, empty messages): 400 50035 here too
      faults.py        injected failures (5xx, 403, 429 with headers, lost responses)
      gateway.py       HELLO/IDENTIFY/READY, heartbeats, RESUME with replay, dispatch per shard
      rest.py          REST routing, bodies, authorization, recording, rate-limit headers
      routes/          one module per resource: commands, messages, polls, interactions, guilds (and events)
    payloads.py      INTERACTION_CREATE payloads (slash commands, autocomplete, clicks, modals)
    client.py        running payloads through a discord.py client in-process
    process.py       a bot as a subprocess pointed at a FakeDiscord
    clock.py         a virtual clock shared with bot processes
    redirect.py      the switch a test's sitecustomize uses to point a bot process here
    postgres.py      a throwaway PostgreSQL server (tests and benchmarks)

Nothing is imported here, so `bot.offline.redirect` stays cheap to import from a sitecustomize.
"""
