import asyncio, subprocess, sys, tempfile
from pathlib import Path
from bench.interactions import SITECUSTOMIZE, BenchDiscord, phase, project_mix, FILMS_DIR
from bot.ingest.build import build
from bot.offline.payloads import Context
from bot.offline.process import BotProcess

async def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); db = tmp/'k.db'; build(FILMS_DIR, db)
        async with BenchDiscord() as fake:
            guild = fake.add_guild('Film Club')
            env = {"STATE_DB": str(tmp/'s.db'), "KNOWLEDGE_DB": str(db), "FILMS_DIR": str(FILMS_DIR), "DEV_GUILD_ID": "", "SHARD_COUNT": "", "SHARD_IDS": "", "LOG_LEVEL": "INFO"}
            async with BotProcess(fake, SITECUSTOMIZE, module='bot', env=env, log_path=tmp/'bot.log') as bot:
                await bot.wait_ready(timeout=120)
                users = iter(fake.make_user(f'm{i}') for i in range(10000))
                jobs = [project_mix(fake, Context.in_guild(fake, guild, user=next(users)), i) for i in range(4200)]
                await phase(fake, bot, jobs[:200], 100, None)
                spy = subprocess.Popen(['.venv/bin/py-spy', 'record', '--format', 'raw', '-o', '/tmp/spy-sat.txt', '--pid', str(bot.pid), '--duration', '4', '--rate', '250'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                p = await phase(fake, bot, jobs[200:], 100, None)
                spy.wait()
                print('p50', p.p50_ms, 'p99', p.p99_ms, 'cpu/int', p.bot_cpu_ms, p.throughput)
asyncio.run(main())
