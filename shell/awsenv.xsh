# awsenv shell integration for xonsh: execx($(awsenv init xonsh))
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
def __awsenv_integration():
    import json
    import shutil
    import subprocess

    from xonsh.tools import unthreadable

    env = __xonsh__.env
    changing = {'user', 'role', 'sso', 'export', 'unset', 'allow', 'deny'}
    seen = {'pwd': None}

    def apply(command):
        binary = shutil.which('awsenv', path=env.detype().get('PATH')) or 'awsenv'
        done = subprocess.run([binary, *command, '--format', 'json'], stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, env=env.detype())
        try:
            delta = json.loads(done.stdout or b'{}')
        except ValueError:
            delta = {}
        for name, value in delta.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
    passing = {'-h', '--help', '--version', '--format', '--shell'}

    @unthreadable
    def awsenv(args, stdin=None):
        words = [w for w in args if not w.startswith('-')]
        passed = any(w in passing or w.startswith(('--format=', '--shell=')) for w in args)
        binary = shutil.which('awsenv', path=env.detype().get('PATH')) or 'awsenv'
        if passed or not words or words[0] not in changing:
            return subprocess.call([binary, *args], env=env.detype())
        done = subprocess.run([binary, *args, '--format', 'json'], stdout=subprocess.PIPE, env=env.detype())
        if done.returncode != 0:
            return done.returncode
        for name, value in json.loads(done.stdout).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return 0

    def renew_before_prompt(**_):
        """Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600)
        or fewer are left (never a question at the prompt), and keep AWSENV_PROMPT current (e.g. "prod 42m"). While
        they are fresh this starts no process: Python's clock is compared with the times awsenv exported."""
        import time

        if env.get('PWD') != seen['pwd']:  # a new directory: enter or leave a .awsenv file's profile
            seen['pwd'] = env.get('PWD')
            apply(['chdir'])

        def number(name, default=None):
            value = str(env.get(name, ''))
            return int(value) if value.isascii() and value.isdigit() else default

        expires, profile = number('AWSENV_EXPIRES_AT'), str(env.get('AWSENV_PROFILE', ''))
        if not profile:
            env.pop('AWSENV_PROMPT', None)
            return
        now, before = int(time.time()), number('AWSENV_RENEW_BEFORE', 600)
        mine = not env.get('AWS_PROFILE') and env.get('AWS_ACCESS_KEY_ID')
        # No end to renew before (expires None): the credential service's variables (--server) renew by themselves.
        if expires is not None and expires - now <= before and number('AWSENV_RENEW_RETRY_AT', 0) <= now and mine:
            apply(['renew'])
        text, person = profile, number('AWSENV_PERSON_NEEDED_AT')
        if person is not None:
            left = person - now
            if left <= 0:
                text += ' expired'
            else:
                minutes = (left + 59) // 60
                hours, rest = divmod(minutes, 60)
                text += f' {minutes}m' if minutes < 60 else f' {hours}h' if not rest else f' {hours}h{rest:02d}m'
                text += '!' if left <= before else ''
        env['AWSENV_PROMPT'] = text

    events.on_pre_prompt(renew_before_prompt)
    return awsenv


aliases['awsenv'] = __awsenv_integration()
del __awsenv_integration
