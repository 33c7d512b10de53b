import asyncio, random, subprocess, sys, tempfile, time
from pathlib import Path
from bench.interactions import SITECUSTOMIZE, BenchDiscord, phase
from bench.library import library_search, mix, titles, IN_STEP
from bot.ingest.build import copy_database
from bot.offline.payloads import Context
from bot.offline.process import BotProcess

async def main(kind):
    lib = Path('/tmp/lib-bench/1000')
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); db = tmp/'k.db'; copy_database(lib/'knowledge.db', db)
        films = titles(db); rng = random.Random(1)
        async with BenchDiscord() as fake:
            guild = fake.add_guild('Film Club')
            env = {"STATE_DB": str(tmp/'s.db'), "KNOWLEDGE_DB": str(db), "FILMS_DIR": str(lib/'films'), "DEV_GUILD_ID": "", "SHARD_COUNT": "", "SHARD_IDS": "", "LOG_LEVEL": "INFO"}
            async with BotProcess(fake, SITECUSTOMIZE, module='bot', env=env, log_path=tmp/'bot.log') as bot:
                await bot.wait_ready(timeout=120)
                await fake.wait_until(lambda: IN_STEP in bot.output(), 120, 'step')
                users = iter(fake.make_user(f'm{i}') for i in range(10000))
                if kind == 'search':
                    jobs = [library_search(fake, Context.in_guild(fake, guild, user=next(users)), rng) for _ in range(1800)]
                else:
                    jobs = [mix(fake, Context.in_guild(fake, guild, user=next(users)), films, rng, i) for i in range(1800)]
                await phase(fake, bot, jobs[:200], 100, 300)
                spy = subprocess.Popen(['.venv/bin/py-spy', 'record', '--format', 'raw', '-o', f'/tmp/spy-{kind}.txt', '--pid', str(bot.pid), '--duration', '5', '--rate', '200'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                p = await phase(fake, bot, jobs[200:], 100, 300)
                spy.wait()
                print(kind, 'p50', p.p50_ms, 'p99', p.p99_ms, 'cpu/int', p.bot_cpu_ms, p.p99_by_kind_ms, p.error_samples[:2])
asyncio.run(main(sys.argv[1]))
