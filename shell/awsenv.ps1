# awsenv shell integration for PowerShell: awsenv init pwsh | Out-String | Invoke-Expression
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
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
    if (-not $pass -and $verb -in 'user', 'role', 'sso', 'export', 'unset') {
        $code = & $exe @args --shell pwsh
        if ($LASTEXITCODE -ne 0) { return }
        $code | Invoke-Expression
    }
    else {
        & $exe @args
    }
}
