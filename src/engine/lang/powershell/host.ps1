# The PowerShell side of the pwsh session (see session.ts): pwsh runs this script with
# `-NoProfile -NonInteractive -File`, joins the executor's channel (session-channel.ts: a named
# pipe on Windows, a Unix domain socket elsewhere, the same code here), says the run's nonce,
# then reads requests as JSON lines and answers with lines `<kind> <json>`. Cells run in one
# runspace, one after the other, so variables, functions, modules and dot-sourced scripts carry
# from cell to cell; the host's own thread stays free while a cell runs, to stop its pipeline
# when asked and to answer parse requests.
#
# Events: `ready <pid> <paths>` (pwsh's own pid: the command started may be a launcher, as .NET
# tools are; `compiled` or `script`: which version of the host's hot paths it runs, see $tools); per cell `o`/`e` (text for stdout/stderr) then, after the sentinel has been written to
# the raw stdout and stderr, `end {code, stopped, env, cwd}`; per question a cell asks (Read-Host,
# or the cells' host: prompt-host.cs) `q {prompt, secure, by, detail}`, answered by an `answer`
# request; per parse request `p {...}`; `fatal "..."` when a request could not be handled.

param([string]$Sentinel, [string]$Address, [string]$HostCache, [string]$SourceKey)
$ErrorActionPreference = 'Stop'
$utf8 = [System.Text.UTF8Encoding]::new($false)
$lf = [string][char]10
# The nonce proves to the executor that this is its host; no cell may see it.
$nonce = [System.Environment]::GetEnvironmentVariable('RUNBOOK_SESSION_NONCE')
[System.Environment]::SetEnvironmentVariable('RUNBOOK_SESSION_NONCE', [NullString]::Value)
# Asynchronous: on Windows a synchronous pipe handle serialises a pending read and a write.
$pipe = [System.IO.Pipes.NamedPipeClientStream]::new('.', $Address, [System.IO.Pipes.PipeDirection]::InOut, [System.IO.Pipes.PipeOptions]::Asynchronous)
$pipe.Connect(30000)
$requests = [System.IO.StreamReader]::new($pipe, $utf8)
$writer = [System.IO.StreamWriter]::new($pipe, $utf8)
$writer.AutoFlush = $true
$writer.NewLine = $lf
$writer.WriteLine($nonce)
$nonce = $null
$json = [System.Text.Json.JsonSerializerOptions]::new()
$json.Encoder = [System.Text.Encodings.Web.JavaScriptEncoder]::UnsafeRelaxedJsonEscaping
# The host's own events (parse replies, `end`) always go here; the cells' go through
# $channel.Events, which the warm-up (Start-Setup) points at nothing while it runs.
$events = [System.IO.TextWriter]::Synchronized($writer)
$channel = [pscustomobject]@{
  Events = $events
  Json = $json
  Job = $null
  Code = $null
  Format = $null
  Errors = 0
  Counted = 0
  Stopped = $null
  Ended = $false
  Failed = $false
  FailedCode = $null
  LastError = $null
  Answers = $null
  Cancel = $null
  Refused = $null
  RefusedBy = $null
  Declined = $false
  Mask = $null
  Layout = $null
  Clone = [object].GetMethod('MemberwiseClone', [System.Reflection.BindingFlags]'Instance, NonPublic')
  FormatDefault = [System.Management.Automation.CmdletInfo]::new('Format-Default', [Microsoft.PowerShell.Commands.FormatDefaultCommand])
  FormatFields = @{}
  # The cmdlet itself, not its name: the Microsoft.PowerShell.Management module is not imported
  # for it (~100 ms before the first cell; a cell that uses the module's cmdlets still loads it,
  # as under `pwsh -File`), and no function a cell defines by that name stands in for it.
  SetLocation = [System.Management.Automation.CmdletInfo]::new('Set-Location', [System.Reflection.Assembly]::Load('Microsoft.PowerShell.Commands.Management').GetType('Microsoft.PowerShell.Commands.SetLocationCommand', $true))
}
# JSON through System.Text.Json: ConvertTo-Json would load a module first (seconds under load).
# The leading comma: PowerShell would otherwise unroll the collection a function returns.
function New-Map { ,[System.Collections.Generic.Dictionary[string, object]]::new() }
function Text-Map([string]$Text) { $map = New-Map; $map.message = $Text; ,$map }
function New-List { ,[System.Collections.Generic.List[object]]::new() }
function Send([string]$Kind, $Map) {
  $events.WriteLine($Kind + ' ' + [System.Text.Json.JsonSerializer]::Serialize($Map, [System.Collections.Generic.Dictionary[string, object]], $json))
}

# The cells' host (prompt-host.cs beside this script) answers $Host.UI.PromptForChoice,
# confirmations (-Confirm, ShouldContinue), Prompt and Get-Credential through the operator, and
# host-tools.cs holds the host's own hot paths (below). They are C#: compiling them costs
# seconds, so they are compiled once per source and pwsh version into a DLL in the user's cache
# ($HostCache, a directory only its owner can write: the DLL runs in every session) and loaded
# from there in milliseconds. A session that finds no DLL compiles it in the background while it
# answers parse requests (preflight), on the script versions of the hot paths; the first cell
# waits for it. $SourceKey names the sources (host-script.ts hashes them as it writes them beside
# this script: reading and hashing them here cost ~30 ms before ready); without it, no DLL.
$hostFiles = @(foreach ($name in 'prompt-host.cs', 'host-tools.cs') { [System.IO.Path]::Combine($PSScriptRoot, $name) })
$hostKey = '{0}-{1}-{2}' -f $SourceKey, $PSVersionTable.PSVersion, [System.Environment]::Version
function Get-HostDirectory {
  if (-not $HostCache) { return $PSScriptRoot }
  try {
    if ($IsWindows) { $null = [System.IO.Directory]::CreateDirectory($HostCache); return $HostCache }
    $private = [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute'
    if (-not [System.IO.Directory]::Exists($HostCache)) { $null = [System.IO.Directory]::CreateDirectory($HostCache, $private) }
    # Writable by others, someone else's code could run in the session: compile for this session only.
    if (([System.IO.File]::GetUnixFileMode($HostCache) -band [System.IO.UnixFileMode]'GroupWrite, OtherWrite') -ne 0) { return $PSScriptRoot }
    return $HostCache
  } catch { return $PSScriptRoot }
}
$hostDirectory = Get-HostDirectory
$hostDll = [System.IO.Path]::Combine($hostDirectory, "prompt-host-$hostKey.dll")
$hostBuild = $null
if ($SourceKey -and -not [System.IO.File]::Exists($hostDll)) {
  $hostBuild = [powershell]::Create()
  $null = $hostBuild.AddScript({
    param($Files, $Dll)
    # Written beside, then moved into place: a session loading the DLL never sees half of it.
    $partial = $Dll + '.' + $PID + '.partial'
    Add-Type -LiteralPath $Files -OutputAssembly $partial -OutputType Library
    [System.IO.File]::Move($partial, $Dll, $true)
  }).AddArgument($hostFiles).AddArgument($hostDll)
  $hostBuilding = $hostBuild.BeginInvoke()
}
# The host's hot paths in C# (host-tools.cs), when the DLL was there as the session started:
# each replaces the script function of its name below (Add-Steps, Set-Mask, Set-JobEnvironment,
# Get-State, Send-Parse), which runs where it was not.
$tools = $null
if (-not $hostBuild -and $SourceKey) { $tools = try { [System.Reflection.Assembly]::LoadFrom($hostDll).GetType('Runbook.HostTools', $true) } catch { $null } }
# The cells' runspace: the session state pwsh itself starts with (modules load on first use),
# with the host above once it is there (without it, where it could not be built, prompts fail
# as PowerShell says). It opens in the background while the host answers parse requests.
$runspace = $null
function Open-Runspace {
  if ($script:runspace) { return }
  if ($script:hostBuild) {
    if (-not $script:hostBuilding.IsCompleted) { return }
    try { $null = $script:hostBuild.EndInvoke($script:hostBuilding) } catch { }
    $script:hostBuild.Dispose()
    $script:hostBuild = $null
  }
  $cellsHost = $null
  try {
    $hostType = [System.Reflection.Assembly]::LoadFrom($hostDll).GetType('Runbook.PromptHost', $true)
    $cellsHost = $hostType::new($channel)
  } catch { $cellsHost = $null }
  $iss = [initialsessionstate]::CreateDefault2()
  $script:runspace = if ($cellsHost) { [runspacefactory]::CreateRunspace($cellsHost, $iss) } else { [runspacefactory]::CreateRunspace($iss) }
  # One thread for every cell, as under `pwsh -File`: a new thread per pipeline cost ~2 ms a cell.
  $script:runspace.ThreadOptions = [System.Management.Automation.Runspaces.PSThreadOptions]::ReuseThread
  $script:runspace.OpenAsync()
}
Open-Runspace

# Helpers inside the cells' runspace. __runbook_show formats the merged streams of a cell:
# success output through one Out-String (tables stay tables), every other record by its
# kind, error stream to stderr. Out-Host and Out-Default have no host to write to here:
# they hand their input to the same formatter.
$setup = @'
$PSStyle.OutputRendering = 'PlainText'
function global:__runbook_emit([string]$Kind, [string]$Text) {
  $__runbook.Events.WriteLine($Kind + ' ' + [System.Text.Json.JsonSerializer]::Serialize($Text, [string], $__runbook.Json))
}
function global:__runbook_flush {
  $format = $__runbook.Format
  $__runbook.Format = $null
  if ($format) {
    foreach ($data in $__runbook.Layout.End()) { foreach ($line in $format.Process((__runbook_mask_format $data))) { __runbook_emit o ($line + [char]10) } }
    foreach ($line in $format.End()) { __runbook_emit o ($line + [char]10) }
  }
}
# Secrets are masked in the values PowerShell's formatter lays out, before it lays them out:
# a long secret in `Format-List` would be wrapped over lines, in a table cut to `tk_live_9f…`
# (by the width or a column's own `width=`), and no later masking of the text could find the
# pieces. Objects go through Format-Default (what Out-String does to them first) into the
# formatter's data (rows, list fields, raw text, headers); its strings are masked by the run's
# rules (redact.ts's, sent with the job), then Out-String lays them out.
function global:__runbook_format_start {
  $__runbook.Layout = { & $__runbook.FormatDefault }.GetSteppablePipeline()
  $__runbook.Layout.Begin($true)
  $__runbook.Format = { Out-String -Stream -Width 200 }.GetSteppablePipeline()
  $__runbook.Format.Begin($true)
}
function global:__runbook_mask([string]$Text) {
  $mask = $__runbook.Mask
  if ($mask.Forms) { $Text = __runbook_mask_wrapped ($mask.Forms.Replace($Text, $mask.Replacement)) }
  foreach ($pattern in $mask.Patterns) { $Text = $pattern.Regex.Replace($Text, $pattern.Replacement) }
  $Text
}
# Whether a text needs masking: a secret in it, or one wrapped over its lines.
function global:__runbook_mask_needed([string]$Text) {
  if (-not $Text) { return $false }
  if ($__runbook.Mask.Any.IsMatch($Text)) { return $true }
  $Text.IndexOf([char]10) -ge 0 -and $__runbook.Mask.Forms -and $__runbook.Mask.Forms.IsMatch([regex]::Replace($Text, '\r?\n[ \t]*', ''))
}
# A text the cell laid out itself (`Format-List | Out-String -Width 60`) may hold a secret
# wrapped over lines: a piece at a line's end, the rest at the start of the next lines after
# their indentation. Read without the line ends and indentation, every piece is masked.
function global:__runbook_mask_wrapped([string]$Text) {
  if ($Text.IndexOf([char]10) -lt 0) { return $Text }
  $found = $__runbook.Mask.Forms.Matches([regex]::Replace($Text, '\r?\n[ \t]*', ''))
  if ($found.Count -eq 0) { return $Text }
  # Each break: where it stands in the text, its length, and where it fell in the joined text.
  $breaks = [regex]::Matches($Text, '\r?\n[ \t]*')
  $joinedAt = [int[]]::new($breaks.Count)
  $removed = 0
  for ($k = 0; $k -lt $breaks.Count; $k++) { $joinedAt[$k] = $breaks[$k].Index - $removed; $removed += $breaks[$k].Length }
  $pieces = [System.Collections.Generic.List[int[]]]::new()
  foreach ($match in $found) {
    $start = $match.Index
    $end = $match.Index + $match.Length
    $shift = 0
    $k = 0
    while ($k -lt $breaks.Count -and $joinedAt[$k] -le $start) { $shift += $breaks[$k].Length; $k++ }
    $from = $start + $shift
    while ($k -lt $breaks.Count -and $joinedAt[$k] -lt $end) {
      $pieces.Add([int[]]@($from, $breaks[$k].Index))
      $shift += $breaks[$k].Length
      $from = $breaks[$k].Index + $breaks[$k].Length
      $k++
    }
    $pieces.Add([int[]]@($from, ($end + $shift)))
  }
  $out = [System.Text.StringBuilder]::new($Text)
  for ($i = $pieces.Count - 1; $i -ge 0; $i--) {
    $piece = $pieces[$i]
    if ($piece[1] -gt $piece[0]) { $null = $out.Remove($piece[0], $piece[1] - $piece[0]).Insert($piece[0], $__runbook.Mask.Text) }
  }
  $out.ToString()
}
# The formatter's data, or a masked copy of it: data a cell made itself (`$t = $x |
# Format-Table`) may be used again (`$t | Out-File`), and stays as it was. Rows and list
# fields (nearly all output) are looked at and copied directly; any other shape by its fields.
function global:__runbook_mask_format($Data) {
  $any = $__runbook.Mask.Any
  $info = $Data.formatEntryInfo
  $kind = if ($null -ne $info) { $info.GetType().Name } else { '' }
  if ($kind -ceq 'TableRowEntry') {
    $fields = $info.formatPropertyFieldList
    $list = $null
    for ($i = 0; $i -lt $fields.Count; $i++) {
      $value = $fields[$i].propertyValue
      if (-not ($value -and $any.IsMatch($value))) { continue }
      if ($null -eq $list) { $list = [System.Activator]::CreateInstance($fields.GetType(), @(, $fields)) }
      $field = $__runbook.Clone.Invoke($fields[$i], $null)
      $field.propertyValue = __runbook_mask $value
      $list[$i] = $field
    }
    if ($null -eq $list) { return $Data }
    $entry = $__runbook.Clone.Invoke($info, $null)
    $entry.formatPropertyFieldList = $list
  } elseif ($kind -ceq 'ListViewEntry') {
    $fields = $info.listViewFieldList
    $list = $null
    for ($i = 0; $i -lt $fields.Count; $i++) {
      $field = $fields[$i]
      if (($field.label -and $any.IsMatch($field.label)) -or ($field.propertyName -and $any.IsMatch($field.propertyName))) { return (__runbook_mask_copy $Data) }
      $value = $field.formatPropertyField.propertyValue
      if (-not ($value -and $any.IsMatch($value))) { continue }
      if ($null -eq $list) { $list = [System.Activator]::CreateInstance($fields.GetType(), @(, $fields)) }
      $field = $__runbook.Clone.Invoke($field, $null)
      $field.formatPropertyField = $__runbook.Clone.Invoke($field.formatPropertyField, $null)
      $field.formatPropertyField.propertyValue = __runbook_mask $value
      $list[$i] = $field
    }
    if ($null -eq $list) { return $Data }
    $entry = $__runbook.Clone.Invoke($info, $null)
    $entry.listViewFieldList = $list
  } elseif ($kind -ceq 'RawTextFormatEntry') {
    if (-not (__runbook_mask_needed $info.text)) { return $Data }
    return (__runbook_mask_copy $Data)
  } else { return (__runbook_mask_copy $Data) }
  $copy = $__runbook.Clone.Invoke($Data, $null)
  $copy.formatEntryInfo = $entry
  $copy
}
function global:__runbook_mask_copy($Node) {
  if ($null -eq $Node) { return $null }
  if ($Node -is [string]) { if (__runbook_mask_needed $Node) { return (__runbook_mask $Node) } return $Node }
  if ($Node -is [System.Collections.IList]) {
    $copy = $null
    for ($i = 0; $i -lt $Node.Count; $i++) {
      $item = $Node[$i]
      $new = __runbook_mask_copy $item
      if (-not [object]::ReferenceEquals($new, $item)) {
        if ($null -eq $copy) { $copy = [System.Activator]::CreateInstance($Node.GetType(), @(, $Node)) }
        $copy[$i] = $new
      }
    }
    if ($null -eq $copy) { return , $Node }
    return , $copy
  }
  $type = $Node.GetType()
  if ($type.Namespace -cne 'Microsoft.PowerShell.Commands.Internal.Format') { return $Node }
  $fields = $__runbook.FormatFields[$type]
  if ($null -eq $fields) {
    $fields = @($type.GetFields([System.Reflection.BindingFlags]'Instance, Public') | Where-Object { -not $_.FieldType.IsValueType -and ($_.FieldType -eq [string] -or $_.FieldType.Namespace -ceq $type.Namespace -or [System.Collections.IList].IsAssignableFrom($_.FieldType)) })
    $__runbook.FormatFields[$type] = $fields
  }
  $clone = $null
  foreach ($field in $fields) {
    $value = $field.GetValue($Node)
    $new = __runbook_mask_copy $value
    if (-not [object]::ReferenceEquals($new, $value)) {
      if ($null -eq $clone) { $clone = $__runbook.Clone.Invoke($Node, $null) }
      $field.SetValue($clone, $new)
    }
  }
  if ($null -eq $clone) { return $Node }
  $clone
}
# An error record as the operator reads it; one from the cell's own text points at the
# runbook (its file and document line) and shows the line as written (`<GOOD_SHA>`, not the
# bound `${env:RUNBOOK_VAR_GOOD_SHA}`), never the temporary cell file or the step calls.
function global:__runbook_error($Record) {
  $id = [string]$Record.FullyQualifiedErrorId
  # A native command's stderr line is output, not an error PowerShell raised.
  if ($id -eq 'NativeCommandError' -or $id -eq 'NativeCommandErrorMessage') { __runbook_emit e ($Record.ToString() + [char]10); return }
  $__runbook.Errors++
  $text = __runbook_at $Record
  if (-not $text) { $text = ($Record | Out-String -Width 200).Trim() }
  __runbook_emit e ((__runbook_unbind $text) + [char]10)
}
function global:__runbook_unbind([string]$Text) {
  $Text.Replace($__runbook.Job.File, $__runbook.Job.Document) -replace '\$\{env:RUNBOOK_VAR_([^}]+)\}', '<$1>'
}
function global:__runbook_at($Record) {
  $job = $__runbook.Job
  $message = if ($Record.ErrorDetails -and $Record.ErrorDetails.Message) { $Record.ErrorDetails.Message } else { $Record.Exception.Message }
  $info = $Record.InvocationInfo
  if ($Record.Exception -is [System.Management.Automation.ParseException]) {
    $problems = @($Record.Exception.Errors | Where-Object { $_.Extent.File -eq $job.File -or -not $_.Extent.File })
    if (-not $problems) { return $null }
    return (@($problems | ForEach-Object { __runbook_position 'ParserError' $_.Extent.StartLineNumber $_.Extent.StartColumnNumber $_.Message }) -join [char]10)
  }
  $label = if ($info -and $info.MyCommand -and $info.MyCommand.CommandType -ne 'ExternalScript' -and $info.MyCommand.Name) { $info.MyCommand.Name }
    elseif ($Record.CategoryInfo.Activity) { $Record.CategoryInfo.Activity }
    elseif ($Record.Exception -is [System.Management.Automation.RuntimeException]) { 'Exception' } else { $Record.Exception.GetType().Name }
  if ($info -and $info.ScriptName -eq $job.File -and $info.ScriptLineNumber -ge 1) { return __runbook_position $label $info.ScriptLineNumber $info.OffsetInLine $message }
  # Raised where no file is (`Write-Error` at the cell's top level reports the cell's own invocation,
  # which is the host's): the message alone, as `pwsh -File` shows it.
  if (-not $info -or -not $info.ScriptName) { return '{0}: {1}' -f $label, $message }
  # In a script the cell called: PowerShell's own view, which names that script.
  $null
}
# `Label: file.md:101`, the line as written under it, `~` under the part the error is about.
function global:__runbook_position([string]$Label, [int]$Line, [int]$Column, [string]$Message) {
  $job = $__runbook.Job
  # The column is the cell file's, where the steps before it on its line (`X; Y`) moved it right.
  if ($job.Stepped) {
    if ($null -eq $job.SteppedLines) { $job.SteppedLines = $job.Stepped -split '\r?\n' }
    if ($Line -le $job.SteppedLines.Count) {
      $stepped = $job.SteppedLines[$Line - 1]
      $Column = ([regex]::Replace($stepped.Substring(0, [Math]::Min([Math]::Max($Column - 1, 0), $stepped.Length)), '; __runbook_step \$\? \d+(?: -Compound)? -ErrorAction Ignore', '')).Length + 1
    }
  }
  $documentLine = $job.FirstLine + $Line - 1
  $bound = if ($Line -le $job.Lines.Count) { $job.Lines[$Line - 1] } else { '' }
  # Columns in the bound line: each `${env:RUNBOOK_VAR_X}` before the column is `<X>` as written.
  $before = __runbook_unbind ($bound.Substring(0, [Math]::Min([Math]::Max($Column - 1, 0), $bound.Length)))
  $written = __runbook_unbind $bound
  $number = [string]$documentLine
  $pad = ' ' * $number.Length
  $underline = $written.Substring([Math]::Min($before.Length, $written.Length)).TrimEnd()
  @(
    ('{0}: {1}:{2}' -f $Label, $job.Document, $documentLine),
    ('{0} | {1}' -f $number, $written.TrimEnd()),
    ('{0} | {1}{2}' -f $pad, (' ' * $before.Length), ('~' * [Math]::Max($underline.Length, 1))),
    ('{0} | {1}' -f $pad, $Message)
  ) -join [char]10
}
# After each top-level statement of the cell (see Add-Steps). DebuggerHidden: `Set-PSDebug
# -Trace` traces the cell's lines, not this.
function global:__runbook_step {
  [CmdletBinding()]
  [System.Diagnostics.DebuggerHidden()]
  param([bool]$Ok, [int]$Line, [switch]$Compound)
  # An error the statement silenced (`2>$null`, SilentlyContinue) is in $Error, not on screen: not counted.
  $silenced = $global:Error.Count -gt 0 -and -not [object]::ReferenceEquals($global:Error[0], $__runbook.LastError)
  if ($global:Error.Count -gt 0) { $__runbook.LastError = $global:Error[0] }
  if ($Ok) { $__runbook.Counted = $__runbook.Errors; $__runbook.Failed = $false; return }
  # Read without touching it: unset until a native command or a script's `exit` sets it, and a cell's Set-StrictMode would refuse `$global:LASTEXITCODE`.
  $exited = $ExecutionContext.SessionState.PSVariable.GetValue('global:LASTEXITCODE')
  # A compound statement that found $? false (the statement before it failed), wrote no error
  # and left $LASTEXITCODE as it was ran nothing that failed: $? is the earlier statement's.
  # (One that ran a native command failing with the same code as before is not told apart.)
  $stale = $Compound -and $__runbook.Failed -and -not $silenced -and $__runbook.Counted -eq $__runbook.Errors -and $exited -eq $__runbook.FailedCode
  $__runbook.Failed = $true
  $__runbook.FailedCode = $exited
  # Failed without an error record of its own: a native command's or a script's non-zero exit.
  $unrecorded = -not $stale -and $__runbook.Counted -eq $__runbook.Errors -and -not $silenced
  # errorAction stop ends the cell at a script's non-zero exit (a native command's ends it by
  # $PSNativeCommandUseErrorActionPreference, a cmdlet error by 'Stop'); an error the statement
  # let go on itself (`-ErrorAction SilentlyContinue`, `Continue`, `Ignore`) does not, as with
  # the two preference lines under `pwsh -File`.
  $stop = $__runbook.Job.Stop -and $unrecorded -and $exited
  if ($unrecorded) {
    $__runbook.Errors++
    $what = if ($exited) { 'exited with ' + $exited } else { 'failed' }
    __runbook_emit e ('runbook: {0}:{1}: {2}{3}' -f $__runbook.Job.Document, ($__runbook.Job.FirstLine + $Line - 1), $what, $(if ($stop) { '; errorAction stop ends the cell here' } else { '' }) + [char]10)
  }
  $__runbook.Counted = $__runbook.Errors
  # An ActionPreferenceStopException, as a 'Stop' raises: no preference (this call's own
  # `-ErrorAction Ignore`, a cell's 'SilentlyContinue') turns it into an error that goes on.
  if ($stop) { $__runbook.Stopped = $Line; throw [System.Management.Automation.ActionPreferenceStopException]::new('errorAction stop') }
  $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([System.Exception]::new('statement failed'), 'RunbookStep', 'NotSpecified', $null))
}
# The end of a cell, however it ended: $Failure is the script-terminating error that ended it,
# -Stopped a stop (Ctrl-C, a timeout, a prompt nobody could answer), -Broke a `break` or
# `continue` outside any loop (`pwsh -File` ends the script there and exits 0); none of them,
# the end of its text, or `exit N` (then $LASTEXITCODE is N and the last line did not run).
function global:__runbook_end($Failure, [switch]$Stopped, [switch]$Broke) {
  __runbook_flush
  $exited = $ExecutionContext.SessionState.PSVariable.GetValue('global:LASTEXITCODE')
  if ($Stopped) { }
  elseif ($Broke) { $__runbook.Code = 0 }
  elseif ($null -ne $Failure) {
    if ($__runbook.Stopped) { $__runbook.Code = if ($exited) { [int]$exited } else { 1 } }
    else {
      __runbook_error $Failure
      $__runbook.Code = if ($Failure.Exception -is [System.Management.Automation.NativeCommandExitException]) { $Failure.Exception.ExitCode } else { 1 }
    }
  }
  elseif ($null -eq $global:__runbook_ok) { $__runbook.Code = [int]$exited }
  elseif ($global:__runbook_ok) { $__runbook.Code = 0 }
  else { $__runbook.Code = if ($exited) { [int]$exited } else { 1 } }
  $__runbook.Ended = $true
  $global:ErrorActionPreference = 'Continue'
  $global:PSNativeCommandUseErrorActionPreference = $false
}
function global:__runbook_show {
  param([Parameter(ValueFromPipeline = $true)] $Item)
  begin { if (-not $__runbook.Format) { __runbook_format_start } }
  process {
    if ($Item -is [System.Management.Automation.ErrorRecord]) { __runbook_error $Item }
    elseif ($Item -is [System.Management.Automation.WarningRecord]) { __runbook_emit e ('WARNING: ' + $Item.Message + [char]10) }
    elseif ($Item -is [System.Management.Automation.VerboseRecord]) { __runbook_emit e ('VERBOSE: ' + $Item.Message + [char]10) }
    elseif ($Item -is [System.Management.Automation.DebugRecord]) { __runbook_emit e ('DEBUG: ' + $Item.Message + [char]10) }
    elseif ($Item -is [System.Management.Automation.InformationRecord]) {
      $data = $Item.MessageData
      if ($data -is [System.Management.Automation.HostInformationMessage]) { __runbook_emit o ([string]$data.Message + $(if ($data.NoNewLine) { '' } else { [char]10 })) }
      else { __runbook_emit o ([string]$data + [char]10) }
    }
    else {
      # Flushed mid-pipeline (Read-Host shows what came before its question): start again.
      if (-not $__runbook.Format) { __runbook_format_start }
      foreach ($data in $__runbook.Layout.Process($Item)) {
        foreach ($line in $__runbook.Format.Process((__runbook_mask_format $data))) { __runbook_emit o ($line + [char]10) }
      }
    }
  }
}
function global:Out-Host { param([Parameter(ValueFromPipeline = $true)] $InputObject, [switch]$Paging) process { $InputObject | __runbook_show } }
function global:Out-Default { param([Parameter(ValueFromPipeline = $true)] $InputObject, [switch]$Transcript) process { $InputObject | __runbook_show } }
# Read-Host reaches the operator with its own prompt text and -AsSecureString/-MaskInput, even
# where the cells' host (prompt-host.cs) could not be built: Read-Host is a global function,
# which PowerShell finds before the cmdlet, for the cell and every script it calls: the
# question goes out as a `q` event and the answer comes back on the channel (Invoke-Cell).
# Unattended, nobody can answer: the cell stops with the prompt's own text as the reason.
function global:Read-Host {
  [CmdletBinding()]
  param([Parameter(Position = 0, ValueFromRemainingArguments = $true)] $Prompt, [switch]$AsSecureString, [switch]$MaskInput)
  $text = if ($null -ne $Prompt) { (@($Prompt) | ForEach-Object { [string]$_ }) -join ' ' } else { '' }
  $secure = [bool]($AsSecureString -or $MaskInput)
  __runbook_flush
  if (-not $__runbook.Job.Interactive) { $__runbook.Refused = $text; $__runbook.RefusedBy = 'Read-Host'; throw [System.Management.Automation.PipelineStoppedException]::new() }
  $question = [System.Collections.Generic.Dictionary[string, object]]::new()
  $question.prompt = $text
  $question.secure = $secure
  $__runbook.Events.WriteLine('q ' + [System.Text.Json.JsonSerializer]::Serialize($question, [System.Collections.Generic.Dictionary[string, object]], $__runbook.Json))
  $answer = $null
  try { $answer = $__runbook.Answers.Take($__runbook.Cancel.Token) } catch { $answer = $null }
  if ($null -eq $answer) {
    if (-not $__runbook.Cancel.IsCancellationRequested) { $__runbook.Refused = $text; $__runbook.RefusedBy = 'Read-Host'; $__runbook.Declined = $true }
    throw [System.Management.Automation.PipelineStoppedException]::new()
  }
  if (-not $AsSecureString) { return $answer }
  $value = [System.Security.SecureString]::new()
  foreach ($char in $answer.ToCharArray()) { $value.AppendChar($char) }
  $value.MakeReadOnly()
  $value
}
'@

# One cell, as `pwsh -File` would run its text: PowerShell's default preferences, set again
# for every cell (a cell's own `$ErrorActionPreference = 'Stop'` lasts for that cell), or
# the runbook's stop-at-first-error (`errorAction: stop`, as if the cell began with the two
# preference lines), and no $LASTEXITCODE until something sets it. The cell file, instrumented
# by Add-Steps, is dot-sourced in the global scope, so variables and functions carry to the
# next cell. Its last line records $? of the cell's last statement; when that line did not
# run, the cell left by `exit` (or `return`). It becomes a function of the setup
# (__runbook_cell), compiled once, that each cell dot-sources: sent as a script, the same text
# was parsed and compiled again for every cell (~2 ms a cell).
# No `try` and no `trap` around the cell: inside either, PowerShell makes every error
# terminating, down into the functions and scripts the cell calls (`[int]::Parse('x')`, an
# unknown command, a parameter that does not bind would end the cell where `pwsh -File` writes
# the error and goes on). So only what ends a script under `pwsh -File` ends the cell: a
# script-terminating error (`throw`, a 'Stop') leaves this function too, the pipeline ends, and
# the host hands the error to __runbook_end in a pipeline of its own; so do a stop and a
# `break` (or `continue`) outside any loop, which ends a script as it ends this pipeline.
# A cell PowerShell cannot parse is the one dot-sourced inside a `try`: it fails before a line runs.
$cell = @'
$__runbook.Code = $null
$__runbook.Errors = 0
$__runbook.Counted = 0
$__runbook.Stopped = $null
$__runbook.Failed = $false
$__runbook.LastError = if ($global:Error.Count -gt 0) { $global:Error[0] } else { $null }
$global:__runbook_ok = $null
$ExecutionContext.SessionState.PSVariable.Remove('global:LASTEXITCODE')
$global:ErrorActionPreference = if ($__runbook.Job.Stop) { 'Stop' } else { 'Continue' }
$global:PSNativeCommandUseErrorActionPreference = [bool]$__runbook.Job.Stop
# Where the last cell left it, nearly always: Set-Location costs a millisecond a cell.
if ($ExecutionContext.SessionState.Path.CurrentLocation.Provider.Name -cne 'FileSystem' -or $ExecutionContext.SessionState.Path.CurrentLocation.ProviderPath -cne $__runbook.Job.Cwd) { & $__runbook.SetLocation -LiteralPath $__runbook.Job.Cwd }
if (-not $__runbook.Job.Parsed) {
  try { . $__runbook.Job.File } catch { __runbook_end $_ }
  return
}
. $__runbook.Job.File *>&1 | __runbook_show
__runbook_end
'@

# After each top-level statement of a cell: `; __runbook_step $? <line> -ErrorAction Ignore`,
# on the statement's own last line, so every line and every column before it stay as written.
# Not after a definition (function, class, enum, using): it runs nothing and leaves $? as the
# statement before it did. `-Compound` after a statement that may run no pipeline of its own
# (`if ($false) {}`, an empty loop) and then leaves $? as it found it: see __runbook_step.
# The step counts a statement that failed without writing an error record (a native
# command's or a script's non-zero exit: PowerShell itself records nothing for those), and
# leaves $? as the statement left it (a WriteError that is ignored sets it false and touches
# neither $Error nor the streams), so `if (-not $?)` on the next line still reads the
# author's statement. Only the top level: a function's or a called script's statements are theirs.
function Add-Steps([string]$Text) {
  $tokens = $null
  $errors = $null
  $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
  $out = [System.Text.StringBuilder]::new()
  $at = 0
  # A cell PowerShell cannot parse fails with the parser's message, at the lines it has.
  if ($errors.Count -gt 0) { return $Text }
  # Its own `begin {}`/`end {}` blocks are left alone.
  if ($ast.EndBlock -and $ast.EndBlock.Unnamed) {
    foreach ($statement in $ast.EndBlock.Statements) {
      if ($statement -is [System.Management.Automation.Language.FunctionDefinitionAst] -or $statement -is [System.Management.Automation.Language.TypeDefinitionAst] -or $statement -is [System.Management.Automation.Language.UsingStatementAst] -or $statement -is [System.Management.Automation.Language.ConfigurationDefinitionAst]) { continue }
      $end = $statement.Extent.EndOffset
      $compound = if ($statement -is [System.Management.Automation.Language.PipelineBaseAst]) { '' } else { ' -Compound' }
      $null = $out.Append($Text, $at, $end - $at).Append('; __runbook_step $? ' + $statement.Extent.EndLineNumber + $compound + ' -ErrorAction Ignore')
      $at = $end
    }
  }
  $null = $out.Append($Text, $at, $Text.Length - $at).Append($lf + $lf + '$global:__runbook_ok = $?' + $lf)
  $out.ToString()
}
if ($tools) { function Add-Steps([string]$Text) { $tools::AddSteps($Text) } }

# The setup (and the first load of the formatting cmdlets) runs once the runspace is open,
# still while the host answers parse requests; the first cell waits for it.
$init = $null
$initAsync = $null
function Start-Setup {
  Open-Runspace
  if ($script:init -or -not $runspace -or $runspace.RunspaceStateInfo.State -ne [System.Management.Automation.Runspaces.RunspaceState]::Opened) { return }
  $runspace.SessionStateProxy.SetVariable('__runbook', $channel)
  $script:init = [powershell]::Create()
  $script:init.Runspace = $runspace
  $warm = @'
& {
  $events = $__runbook.Events
  $__runbook.Events = [System.IO.TextWriter]::Null
  try {
    & $__runbook.SetLocation -LiteralPath $ExecutionContext.SessionState.Path.CurrentLocation.ProviderPath
    . __runbook_cell
  } catch { } finally {
    $__runbook.Events = $events
    $global:Error.Clear()
  }
}
'@
  $null = $script:init.AddScript($setup + $lf + 'function global:__runbook_cell {' + $lf + $cell + $lf + '}' + $lf + $warm)
  $script:initAsync = $script:init.BeginInvoke()
}

# Whether a name is PowerShell's own (a cmdlet, function, alias or filter), asked of PowerShell
# itself: a core cmdlet whose verb is not an approved one (ForEach-Object, Where-Object,
# Sort-Object, Tee-Object) is PowerShell's like any other, and a module's command counts
# (Get-Command lists the commands of modules that are not loaded yet). Applications are the TS
# side's (PATH). One listing of every command, on the first name asked, answers every later one:
# a Get-Command per name cost ~30-100 ms each, and the runspace of its own it had ~150 ms more.
# The listing runs here, in the host's runspace, which a cell never runs in (the cells' one may
# be running a cell): the host's own functions (this script's) are left out, they are no cell's;
# a command this script shadows is still listed from where PowerShell has it. With the compiled
# paths the listing is kept beside the DLL (same key: pwsh version and sources) with the
# fingerprint of PowerShell's settings and the modules it came from, and read from there while
# that has not changed: the listing costs ~50-100 ms of CPU before the first parse reply.
$commands = $null
function Read-PowerShellCommands {
  if ($null -ne $script:commands) { return }
  $kept = [System.IO.Path]::Combine($hostDirectory, "commands-$hostKey.txt")
  if ($tools) {
    # PowerShell's settings, for everyone and the user's (beside $PROFILE): experimental features change the commands.
    $settings = [string[]]@([System.IO.Path]::Combine($PSHOME, 'powershell.config.json'); if ($PROFILE) { [System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName([string]$PROFILE), 'powershell.config.json') })
    $fingerprint = $tools::ModulesFingerprint($env:PSModulePath, $settings)
    $script:commands = $tools::CachedCommands($kept, $fingerprint)
    if ($null -ne $script:commands) { return }
  }
  $listed = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
  $whole = $true
  try {
    foreach ($command in @(Get-Command -CommandType 'Alias,Function,Filter,Cmdlet,Configuration' -ErrorAction Ignore)) {
      if ($command.CommandType -eq 'Function' -and $command.ScriptBlock.File -eq $PSCommandPath) { continue }
      $null = $listed.Add($command.Name)
    }
  } catch { $whole = $false }
  # A listing that failed part way answers this session (what it has counts; the rest is PATH's),
  # never a parse request with an error, and is not kept for the next.
  $script:commands = $listed
  if ($tools -and $whole) { $tools::CacheCommands($kept, $fingerprint, $listed) }
}
function Test-PowerShellCommand([string]$Name) {
  Read-PowerShellCommands
  $script:commands.Contains($Name)
}

function Set-JobEnvironment($Wanted) {
  $want = [System.Collections.Generic.Dictionary[string, string]]::new([System.StringComparer]::Ordinal)
  foreach ($property in $Wanted.EnumerateObject()) { $want[$property.Name] = $property.Value.GetString() }
  foreach ($entry in @([System.Environment]::GetEnvironmentVariables().GetEnumerator())) {
    if (-not $want.ContainsKey([string]$entry.Key) -and -not $ownVariables.ContainsKey([string]$entry.Key)) { [System.Environment]::SetEnvironmentVariable([string]$entry.Key, [NullString]::Value) }
  }
  foreach ($entry in $want.GetEnumerator()) {
    if (-not $ownVariables.ContainsKey($entry.Key) -and [System.Environment]::GetEnvironmentVariable($entry.Key) -cne $entry.Value) { [System.Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
  }
}

# Module discovery depends on the PSModulePath pwsh set up for itself at start: never reset, never carried.
$ownVariables = @{ PSModulePath = $true }
function Get-State {
  $vars = [System.Collections.Generic.Dictionary[string, string]]::new([System.StringComparer]::Ordinal)
  foreach ($entry in [System.Environment]::GetEnvironmentVariables().GetEnumerator()) { if (-not $ownVariables.ContainsKey([string]$entry.Key)) { $vars[[string]$entry.Key] = [string]$entry.Value } }
  @{ env = $vars; cwd = $runspace.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath }
}
if ($tools) {
  function Set-JobEnvironment($Wanted) { $tools::SetEnvironment($Wanted, $ownVariables.Keys) }
  function Get-State { @{ env = $tools::Variables($ownVariables.Keys); cwd = $runspace.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath } }
}

# The innermost token at an offset, looking into the tokens nested in expandable strings.
function Find-Token($Tokens, [int]$At) {
  foreach ($token in $Tokens) {
    if ($token.Extent.StartOffset -le $At -and $At -lt $token.Extent.EndOffset) {
      if ($token -is [System.Management.Automation.Language.StringExpandableToken] -and $token.NestedTokens) {
        $inner = Find-Token $token.NestedTokens $At
        if ($inner) { return $inner }
      }
      return $token
    }
  }
  return $null
}

# Tokens in source order, with those nested in expandable strings ("$(railway status)").
function Add-Tokens($List, $Tokens) {
  foreach ($token in $Tokens) {
    $List.Add($token)
    if ($token -is [System.Management.Automation.Language.StringExpandableToken] -and $token.NestedTokens) { Add-Tokens $List $token.NestedTokens }
  }
}
$argumentEnd = @{}
foreach ($kind in 'NewLine', 'Semi', 'Pipe', 'EndOfInput', 'AndAnd', 'OrOr', 'RParen', 'RCurly', 'LCurly', 'Ampersand') { $argumentEnd[$kind] = $true }

# Text that PowerShell (or a program it starts) parses again as code: a value bound there runs.
$reparsingCommands = @{ 'invoke-expression' = 'Invoke-Expression'; 'iex' = 'Invoke-Expression (iex)'; 'add-type' = 'Add-Type' }
$codeFlags = @{ 'pwsh' = '^(c|co|com|comm|comma|comman|command|e|ec|en|enc|encodedcommand)$'; 'powershell' = '^(c|co|com|comm|comma|comman|command|e|ec|en|enc|encodedcommand)$'; 'bash' = '^c$'; 'sh' = '^c$'; 'zsh' = '^c$'; 'cmd' = '^[ck]$'; 'python' = '^c$'; 'python3' = '^c$'; 'psql' = '^c$' }
function Get-Reparsed($Ast, [int]$At) {
  $inside = { param($node) $node.Extent.StartOffset -le $At -and $At -lt $node.Extent.EndOffset }
  foreach ($node in $Ast.FindAll({ param($n) $n.Extent.StartOffset -le $At -and $At -lt $n.Extent.EndOffset }, $true)) {
    if ($node -is [System.Management.Automation.Language.CommandAst]) {
      $name = [string]$node.GetCommandName()
      $base = [System.IO.Path]::GetFileNameWithoutExtension($name).ToLowerInvariant()
      $elements = @($node.CommandElements | Select-Object -Skip 1)
      if ($reparsingCommands.ContainsKey($name.ToLowerInvariant()) -and ($elements | Where-Object { & $inside $_ })) { return "the text $($reparsingCommands[$name.ToLowerInvariant()]) runs as code" }
      if ($codeFlags.ContainsKey($base)) {
        $flagged = $false
        foreach ($element in $elements) {
          if ($flagged -and (& $inside $element)) { return "the program text of $base -$flag" }
          $text = $element.Extent.Text -replace '^[-/]+', ''
          if (-not $flagged -and $element.Extent.Text -match '^[-/]' -and $text -match $codeFlags[$base]) { $flagged = $true; $flag = $text }
        }
      }
    } elseif ($node -is [System.Management.Automation.Language.InvokeMemberExpressionAst]) {
      $member = [string]$node.Member.Extent.Text.Trim("'", '"')
      $type = if ($node.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) { $node.Expression.TypeName.FullName } else { '' }
      $reparses = ($member -eq 'Create' -and $type -match '^(System\.Management\.Automation\.)?scriptblock$') -or $member -in 'InvokeScript', 'NewScriptBlock', 'ExpandString', 'AddScript'
      if ($reparses -and ($node.Arguments | Where-Object { & $inside $_ })) { return "the text $(if ($type) { "[$type]::" } else { '.' })$member() parses as code" }
    } elseif ($node -is [System.Management.Automation.Language.ConvertExpressionAst] -and $node.Type.TypeName.FullName -match '^(System\.Management\.Automation\.)?scriptblock$') {
      return 'a string made into a [scriptblock]'
    }
  }
  return $null
}

function Send-Parse($Request) {
  $source = $Request.GetProperty('source').GetString()
  $tokens = $null
  $errors = $null
  $ast = [System.Management.Automation.Language.Parser]::ParseInput($source, [ref]$tokens, [ref]$errors)
  $reply = New-Map
  $reply.id = $Request.GetProperty('id').GetInt32()
  $reply.errors = New-List
  foreach ($problem in $errors) {
    $entry = New-Map
    $entry.message = $problem.Message
    $entry.line = $problem.Extent.StartLineNumber
    $entry.column = $problem.Extent.StartColumnNumber
    $reply.errors.Add($entry)
  }
  $reply.spots = New-List
  foreach ($at in $Request.GetProperty('at').EnumerateArray()) {
    $token = Find-Token $tokens $at.GetInt32()
    $spot = New-Map
    $spot.at = $at.GetInt32()
    if ($token) {
      $spot.kind = [string]$token.Kind
      $spot.start = $token.Extent.StartOffset
      $spot.end = $token.Extent.EndOffset
      $spot.commandName = $token.TokenFlags.HasFlag([System.Management.Automation.Language.TokenFlags]::CommandName)
      if ($token -is [System.Management.Automation.Language.StringLiteralToken]) { $spot.value = $token.Value }
      # After `--%` (stop-parsing) the rest of the line goes to the program as written: no variable expands there.
      for ($i = 1; $i -lt $tokens.Count; $i++) { if ($tokens[$i].Extent.StartOffset -eq $token.Extent.StartOffset -and $tokens[$i - 1].Text -eq '--%') { $spot.verbatim = $true } }
      $reparsed = if ($token.Kind -ne [System.Management.Automation.Language.TokenKind]::Comment) { Get-Reparsed $ast $at.GetInt32() }
      if ($reparsed) { $spot.reparsed = $reparsed }
    }
    $reply.spots.Add($spot)
  }
  # From the tokens (the parser marks command names), not Ast.FindAll: a script-block
  # predicate per node cost tens of milliseconds per cell.
  $reply.commands = New-List
  $reply.functions = New-List
  $flat = New-List
  Add-Tokens $flat $tokens
  for ($i = 0; $i -lt $flat.Count; $i++) {
    $token = $flat[$i]
    if ($token.Kind -eq [System.Management.Automation.Language.TokenKind]::Function -and $i + 1 -lt $flat.Count) { $reply.functions.Add($flat[$i + 1].Text); continue }
    if (-not $token.TokenFlags.HasFlag([System.Management.Automation.Language.TokenFlags]::CommandName)) { continue }
    $name = $token.Text
    $entry = New-Map
    $entry.name = $name
    $entry.line = $token.Extent.StartLineNumber
    $entry.dot = $i -gt 0 -and $flat[$i - 1].Kind -eq [System.Management.Automation.Language.TokenKind]::Dot
    $entry.powershell = ($name -notmatch '[/\\]') -and (Test-PowerShellCommand $name)
    $entry.arguments = New-List
    for ($j = $i + 1; $j -lt $flat.Count -and -not $argumentEnd.ContainsKey([string]$flat[$j].Kind); $j++) {
      $argument = $flat[$j]
      if ($argument -is [System.Management.Automation.Language.StringToken]) { $entry.arguments.Add($argument.Value) } else { $entry.arguments.Add($argument.Text) }
    }
    $reply.commands.Add($entry)
  }
  Send p $reply
}
if ($tools) {
  function Send-Parse($Request) {
    Read-PowerShellCommands
    $events.WriteLine('p ' + $tools::Parse($Request, $script:commands))
  }
}

# The run's masking for this cell (redact.ts's rules as data), compiled once per distinct set.
$maskRules = $null
function Set-Mask($Rules) {
  $text = $Rules.GetRawText()
  if ($text -ceq $script:maskRules) { return }
  $script:maskRules = $text
  $forms = @(foreach ($form in $Rules.GetProperty('forms').EnumerateArray()) { [regex]::Escape($form.GetString()) })
  $patterns = @(foreach ($rule in $Rules.GetProperty('patterns').EnumerateArray()) {
    [pscustomobject]@{ Regex = [regex]::new($rule.GetProperty('source').GetString(), 'IgnoreCase, CultureInvariant'); Replacement = $rule.GetProperty('replacement').GetString() }
  })
  $any = @($forms) + @(foreach ($pattern in $patterns) { $pattern.Regex.ToString() })
  $channel.Mask = [pscustomobject]@{
    Text = $Rules.GetProperty('mask').GetString()
    Replacement = $Rules.GetProperty('mask').GetString().Replace('$', '$$')
    # Longest first (the rules' order): a secret that contains another is masked whole.
    Forms = if ($forms.Count) { [regex]::new($forms -join '|', 'CultureInvariant') } else { $null }
    Patterns = $patterns
    Any = [regex]::new('(?:' + ($any -join ')|(?:') + ')', 'IgnoreCase, CultureInvariant')
  }
}
if ($tools) {
  function Set-Mask($Rules) {
    $text = $Rules.GetRawText()
    if ($text -ceq $script:maskRules) { return }
    $script:maskRules = $text
    $channel.Mask = $tools::CompileMask($Rules)
  }
}

function Invoke-Cell($Request) {
  # The setup and its warm-up first: the warm-up uses the channel's job, mask and environment.
  while (-not $script:init) {
    $state = if ($runspace) { $runspace.RunspaceStateInfo } else { $null }
    if ($state -and $state.State -eq [System.Management.Automation.Runspaces.RunspaceState]::Broken) { throw ('the cells'' runspace did not open: ' + $state.Reason) }
    Start-Setup
    if (-not $script:init) { [System.Threading.Thread]::Sleep(5) }
  }
  if ($script:initAsync) {
    try { $null = $script:init.EndInvoke($script:initAsync) } catch { Send fatal (Text-Map ('the session setup failed: ' + $_)) }
    $script:initAsync = $null
    $script:init.Dispose()
    [System.IO.File]::Delete($warmFile)
  }
  Set-JobEnvironment $Request.GetProperty('env')
  Set-Mask $Request.GetProperty('mask')
  $channel.Job = [pscustomobject]@{
    File = $Request.GetProperty('file').GetString()
    Cwd = $Request.GetProperty('cwd').GetString()
    Stop = $Request.GetProperty('stop').GetBoolean()
    Document = $Request.GetProperty('document').GetString()
    Interactive = $Request.GetProperty('interactive').GetBoolean()
    FirstLine = $Request.GetProperty('firstLine').GetInt32()
    Lines = $null
    Parsed = $true
    Stepped = $null
    SteppedLines = $null
  }
  $channel.Answers = [System.Collections.Concurrent.BlockingCollection[string]]::new()
  $channel.Cancel = [System.Threading.CancellationTokenSource]::new()
  $channel.Refused = $null
  $channel.RefusedBy = $null
  $channel.Declined = $false
  $text = [System.IO.File]::ReadAllText($channel.Job.File)
  $channel.Job.Lines = $text -split '\r?\n'
  $stepped = Add-Steps $text
  # Add-Steps gives back a text it cannot parse as it was, and adds at least the last line to any other.
  $channel.Job.Parsed = $stepped.Length -gt $text.Length
  $channel.Job.Stepped = $stepped
  [System.IO.File]::WriteAllText($channel.Job.File, $stepped, $utf8)
  $channel.Ended = $false
  $shell = [powershell]::Create()
  $shell.Runspace = $runspace
  $null = $shell.AddScript('. __runbook_cell')
  $async = $shell.BeginInvoke()
  $stopped = $false
  while (-not $async.IsCompleted) {
    $handles = [System.Threading.WaitHandle[]]@($async.AsyncWaitHandle, ([System.IAsyncResult]$script:pending).AsyncWaitHandle)
    if ([System.Threading.WaitHandle]::WaitAny($handles) -ne 1) { continue }
    $line = $script:pending.Result
    if ($null -eq $line) { $null = $shell.BeginStop($null, $null); [System.Environment]::Exit(0) }
    $script:pending = $requests.ReadLineAsync()
    $next = [System.Text.Json.JsonDocument]::Parse($line).RootElement
    switch ($next.GetProperty('op').GetString()) {
      'stop' { if (-not $stopped) { $stopped = $true; $channel.Cancel.Cancel(); $null = $shell.BeginStop($null, $null) } }
      'answer' { if ($next.GetProperty('text').ValueKind -eq [System.Text.Json.JsonValueKind]::String) { $channel.Answers.Add($next.GetProperty('text').GetString()) } else { $channel.Answers.CompleteAdding() } }
      'parse' { Send-Parse $next }
    }
  }
  $failure = $null
  try { $null = $shell.EndInvoke($async) } catch {
    $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException } else { $_.Exception }
    if ($stopped -or $reason -is [System.Management.Automation.PipelineStoppedException]) { $stopped = $true }
    elseif ($reason -is [System.Management.Automation.IContainsErrorRecord]) { $failure = $reason.ErrorRecord }
    else { $failure = [System.Management.Automation.ErrorRecord]::new($reason, 'RunbookCell', 'NotSpecified', $null) }
  }
  $shell.Dispose()
  # The cell did not reach __runbook_end (see $cell): it runs now, in a pipeline of its own.
  if (-not $channel.Ended) {
    $shell = [powershell]::Create()
    $shell.Runspace = $runspace
    $null = $shell.AddCommand('__runbook_end')
    if ($stopped) { $null = $shell.AddParameter('Stopped') } elseif ($null -ne $failure) { $null = $shell.AddParameter('Failure', $failure) } else { $null = $shell.AddParameter('Broke') }
    try { $null = $shell.Invoke() } catch { }
    $shell.Dispose()
  }
  [System.Console]::Out.Write($Sentinel)
  [System.Console]::Out.Flush()
  [System.Console]::Error.Write($Sentinel)
  [System.Console]::Error.Flush()
  $state = Get-State
  $end = New-Map
  $end.code = $channel.Code
  $end.errors = $channel.Errors
  if ($null -ne $channel.Refused) { $end.refused = $channel.Refused; $end.refusedBy = $channel.RefusedBy; $end.declined = $channel.Declined }
  $end.stopped = $stopped
  $end.env = $state.env
  $end.cwd = $state.cwd
  Send end $end
}

# A first cell through the path every cell takes (the wrapper, its steps, a string through the
# formatter and the masking), its events going nowhere: compiling that path cost the first
# real cell ~100 ms, now spent here while the host answers parse requests. Only that path: a
# table or a secret found in a value costs the first cell that has one, as under `pwsh -File`
# (warming them too cost more CPU than it saved). It runs in a child scope and leaves no
# variable, error or location behind; Invoke-Cell waits for it. Its job, file and mask are
# made here, before ready (Add-Steps and Set-Mask compile on first use), not between parse requests.
$warmFile = [System.IO.Path]::Combine($PSScriptRoot, 'warm-up.ps1')
[System.IO.File]::WriteAllText($warmFile, (Add-Steps '''warm'''), $utf8)
Set-Mask ([System.Text.Json.JsonDocument]::Parse('{"mask":"********","forms":["runbook-warm-up-secret"],"patterns":[]}').RootElement)
$channel.Job = [pscustomobject]@{ File = $warmFile; Cwd = $PSScriptRoot; Stop = $false; Document = 'warm-up'; Interactive = $false; FirstLine = 1; Lines = @(); Parsed = $true; Stepped = $null; SteppedLines = $null }
$events.WriteLine('ready ' + $PID + $(if ($tools) { ' compiled' } else { ' script' }))
$script:pending = $requests.ReadLineAsync()
while ($true) {
  # Until the runspace is open, look every few milliseconds whether the setup can start.
  while (-not $script:init -and -not $script:pending.Wait(10)) { Start-Setup }
  Start-Setup
  $line = $script:pending.GetAwaiter().GetResult()
  if ($null -eq $line) { break }
  $script:pending = $requests.ReadLineAsync()
  try {
    $request = [System.Text.Json.JsonDocument]::Parse($line).RootElement
    switch ($request.GetProperty('op').GetString()) {
      'run' { Invoke-Cell $request }
      'parse' { Send-Parse $request }
    }
  } catch {
    Send fatal (Text-Map ([string]$_))
  }
}
