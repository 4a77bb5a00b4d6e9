# awsenv shell integration for PowerShell: awsenv init pwsh | Out-String | Invoke-Expression
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
function awsenv {
    $verb = $null
    $pass = $false
    foreach ($word in $args) {
        if (($word -in '-h', '--help', '--version', '--format', '--shell') -or ($word -like '--format=*') -or
            ($word -like '--shell=*')) { $pass = $true }
        elseif ($word -like '-*') { }
        elseif (-not $verb) { $verb = $word }
    }
    $exe = (Get-Command -CommandType Application awsenv | Select-Object -First 1).Source
    if (-not $pass -and $verb -in 'user', 'role', 'sso', 'export', 'unset', 'allow', 'deny') {
        $code = & $exe @args --shell pwsh
        if ($LASTEXITCODE -ne 0) { return }
        $code | Invoke-Expression
    }
    else {
        & $exe @args
    }
}

# Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600) or fewer
# are left (never a question at the prompt), and keep AWSENV_PROMPT current (e.g. "prod 42m"). The `prompt` function
# PowerShell calls to draw each prompt is wrapped; while the credentials are fresh this starts no process.
function global:__awsenv_hook {
    if ($PWD.Path -ne $global:__awsenvPwd) {  # a new directory: enter or leave a .awsenv file's profile
        $global:__awsenvPwd = $PWD.Path
        $exe = (Get-Command -CommandType Application awsenv | Select-Object -First 1).Source
        $code = & $exe chdir --shell pwsh
        if ($LASTEXITCODE -eq 0 -and $code) { $code | Out-String | Invoke-Expression }
    }
    $expires = $env:AWSENV_EXPIRES_AT
    $name = $env:AWSENV_PROFILE
    if (-not $name) {
        Remove-Item Env:AWSENV_PROMPT -ErrorAction SilentlyContinue
        return
    }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $before = if ($env:AWSENV_RENEW_BEFORE -match '^[0-9]+$') { [long]$env:AWSENV_RENEW_BEFORE } else { 600 }
    $retry = if ($env:AWSENV_RENEW_RETRY_AT -match '^[0-9]+$') { [long]$env:AWSENV_RENEW_RETRY_AT } else { 0 }
    # No end to renew before: the credential service's variables (--server) renew by themselves.
    if (($expires -match '^[0-9]+$') -and (([long]$expires - $now) -le $before) -and ($retry -le $now) -and
        -not $env:AWS_PROFILE -and $env:AWS_ACCESS_KEY_ID) {
        $exe = (Get-Command -CommandType Application awsenv | Select-Object -First 1).Source
        $code = & $exe renew --shell pwsh
        if ($LASTEXITCODE -eq 0 -and $code) { $code | Out-String | Invoke-Expression }
    }
    $text = $name
    if ($env:AWSENV_PERSON_NEEDED_AT -match '^[0-9]+$') {
        $left = [long]$env:AWSENV_PERSON_NEEDED_AT - $now
        if ($left -le 0) { $text = "$name expired" }
        else {
            $minutes = [math]::Floor(($left + 59) / 60)
            if ($minutes -lt 60) { $text = "$name ${minutes}m" }
            elseif ($minutes % 60 -eq 0) { $text = "$name $($minutes / 60)h" }
            else { $text = "$name $([math]::Floor($minutes / 60))h$('{0:D2}' -f [int]($minutes % 60))m" }
            if ($left -le $before) { $text = "$text!" }
        }
    }
    $env:AWSENV_PROMPT = $text
}
if (-not $global:__awsenvPrompt) {
    $global:__awsenvPrompt = $function:prompt
    function global:prompt {
        __awsenv_hook
        & $global:__awsenvPrompt
    }
}
