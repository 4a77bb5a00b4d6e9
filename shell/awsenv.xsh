# awsenv shell integration for xonsh: execx($(awsenv init xonsh))
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
def __awsenv_integration():
    import json
    import shutil
    import subprocess

    from xonsh.tools import unthreadable

    env = __xonsh__.env
    changing = {'user', 'role', 'sso', 'export', 'unset'}
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

    return awsenv


aliases['awsenv'] = __awsenv_integration()
del __awsenv_integration
