# awsenv shell integration for elvish: eval (awsenv init elvish | slurp)
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
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
  if (and (not $pass) (has-value [user role sso export unset] $verb)) {
    eval (e:awsenv $@args --shell elvish | slurp)
  } else {
    e:awsenv $@args
  }
}
edit:add-var awsenv~ $awsenv~
