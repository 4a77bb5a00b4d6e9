# awsenv shell integration for elvish: eval (awsenv init elvish | slurp)
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
use str
fn awsenv {|@args|
  var verb = ''
  var pass = $false
  for word $args {
    if (or (has-value [-h --help --version --format --shell] $word) ^
           (str:has-prefix $word --format=) (str:has-prefix $word --shell=)) {
      set pass = $true
    } elif (str:has-prefix $word -) {
    } elif (eq $verb '') {
      set verb = $word
    }
  }
  if (and (not $pass) (has-value [user role sso export unset allow deny] $verb)) {
    eval (e:awsenv $@args --shell elvish | slurp)
  } else {
    e:awsenv $@args
  }
}
edit:add-var awsenv~ $awsenv~

# Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600) or fewer
# are left (never a question at the prompt), and keep AWSENV_PROMPT current (e.g. "prod 42m"). elvish has no clock
# of its own, so `date +%s` tells the time; awsenv itself runs only in the renewal window.
use math
use re
fn __awsenv_digits {|name| and (has-env $name) (re:match '^[0-9]+$' (get-env $name)) }
var __awsenv_pwd = ''
fn __awsenv_hook {
  if (not-eq $pwd $__awsenv_pwd) {  # a new directory: enter or leave a .awsenv file's profile
    set __awsenv_pwd = $pwd
    try { eval (e:awsenv chdir --shell elvish < /dev/null | slurp) } catch { }
  }
  if (eq $E:AWSENV_PROFILE '') {
    unset-env AWSENV_PROMPT
    return
  }
  # The clock is asked only when there is a time to compare: the credential service's variables (--server) have
  # no end here, they renew by themselves.
  var timed = (or (__awsenv_digits AWSENV_EXPIRES_AT) (__awsenv_digits AWSENV_PERSON_NEEDED_AT))
  var now = (if $timed { num (e:date +%s) } else { num 0 })
  var before = (if (__awsenv_digits AWSENV_RENEW_BEFORE) { num $E:AWSENV_RENEW_BEFORE } else { num 600 })
  var retry = (if (__awsenv_digits AWSENV_RENEW_RETRY_AT) { num $E:AWSENV_RENEW_RETRY_AT } else { num 0 })
  if (and (__awsenv_digits AWSENV_EXPIRES_AT) (<= (- (num $E:AWSENV_EXPIRES_AT) $now) $before) (<= $retry $now) ^
          (eq $E:AWS_PROFILE '') (not-eq $E:AWS_ACCESS_KEY_ID '')) {
    try { eval (e:awsenv renew --shell elvish < /dev/null | slurp) } catch { }
  }
  var text = $E:AWSENV_PROFILE
  if (__awsenv_digits AWSENV_PERSON_NEEDED_AT) {
    var left = (- (num $E:AWSENV_PERSON_NEEDED_AT) $now)
    if (<= $left 0) {
      set text = $text' expired'
    } else {
      var minutes = (math:floor (/ (+ $left 59) 60))  # elvish divides exactly: floor it
      if (< $minutes 60) {
        set text = $text' '$minutes'm'
      } elif (== (% $minutes 60) 0) {
        set text = $text' '(math:floor (/ $minutes 60))'h'
      } else {
        set text = $text' '(math:floor (/ $minutes 60))'h'(printf '%02d' (% $minutes 60))'m'
      }
      if (<= $left $before) { set text = $text'!' }
    }
  }
  set-env AWSENV_PROMPT $text
}
set edit:before-readline = [$@edit:before-readline $__awsenv_hook~]
