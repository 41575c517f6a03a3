/**
 * PowerShell's automatic and preference variables (about_Automatic_Variables,
 * about_Preference_Variables), lower-case: PowerShell sets them itself, so a cell that reads
 * `$HOME` or `$PSScriptRoot` reads PowerShell's value, never the environment's. The one list
 * every reader of PowerShell source uses (environment references, lint).
 */
export const POWERSHELL_AUTOMATIC: ReadonlySet<string> = new Set([
  '_', '$', '^', '?', 'args', 'consolefilename', 'enabledexperimentalfeatures', 'error', 'event', 'eventargs',
  'eventsubscriber', 'executioncontext', 'false', 'foreach', 'home', 'host', 'input', 'iscoreclr', 'islinux',
  'ismacos', 'iswindows', 'lastexitcode', 'matches', 'myinvocation', 'nestedpromptlevel', 'null', 'pid',
  'profile', 'psboundparameters', 'pscmdlet', 'pscommandpath', 'psculture', 'psdebugcontext', 'psedition',
  'pshome', 'psitem', 'psscriptroot', 'pssenderinfo', 'psuiculture', 'psversiontable', 'pwd', 'sender',
  'shellid', 'stacktrace', 'switch', 'this', 'true', 'env', 'psstyle',
  // Preference variables.
  'confirmpreference', 'debugpreference', 'erroractionpreference', 'errorview', 'formatenumerationlimit',
  'informationpreference', 'logcommandhealthevent', 'logcommandlifecycleevent', 'logenginehealthevent', 'logenginelifecycleevent', 'logproviderhealthevent', 'logproviderlifecycleevent',
  'maximumhistorycount', 'ofs', 'outputencoding', 'progresspreference', 'psdefaultparametervalues',
  'psemailserver', 'psmoduleautoloadingpreference', 'psnativecommandargumentpassing',
  'psnativecommanduseerroractionpreference', 'pssessionapplicationname', 'pssessionconfigurationname',
  'pssessionoption', 'transcript', 'verbosepreference', 'warningpreference', 'whatifpreference',
]);
