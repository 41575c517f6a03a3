// The PSHost of the cells' runspace (host.ps1 compiles this once per pwsh version into a DLL
// cached on disk, and loads it). Without a host PowerShell refuses every question a cell asks
// through the host: `$Host.UI.PromptForChoice`, the confirmations of ShouldProcess (`-Confirm`,
// ConfirmImpact High) and ShouldContinue (`Remove-Item` of a folder with children), Prompt for
// a mandatory parameter, Get-Credential. Here each question goes to the operator as the `q` event
// Read-Host uses (host.ps1) and the answer comes back through the channel's Answers; where nobody
// can answer (unattended) the cell stops with the question's own text as the reason. The host
// talks to host.ps1 only through the channel object: Events (the event writer), Json, Job
// (Interactive), Answers, Cancel, and Refused, RefusedBy, Declined for the cell's end.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.Json;
using System.Threading;

namespace Runbook
{
    public sealed class PromptHost : PSHost
    {
        private readonly Guid id = Guid.NewGuid();
        private readonly PromptUI ui;
        public PromptHost(PSObject channel) { ui = new PromptUI(channel); }
        public override string Name => "runbook";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId => id;
        public override PSHostUserInterface UI => ui;
        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException("a runbook cell cannot enter a nested prompt");
        public override void ExitNestedPrompt() { }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    public sealed class PromptUI : PSHostUserInterface
    {
        private readonly PSObject channel;
        public PromptUI(PSObject channel) { this.channel = channel; }

        private object Get(string name) => channel.Properties[name].Value;
        private void Set(string name, object value) => channel.Properties[name].Value = value;

        private void Emit(string kind, object body)
        {
            var writer = (TextWriter)Get("Events");
            var options = (JsonSerializerOptions)Get("Json");
            writer.WriteLine(kind + " " + JsonSerializer.Serialize(body, body.GetType(), options));
        }

        /// <summary>The operator's answer, or a stop: unattended, declined (esc) or cancelled.</summary>
        private string Ask(string by, string prompt, IList<string> detail, bool secure, string refusal)
        {
            var job = Get("Job") as PSObject;
            var interactive = job != null && job.Properties["Interactive"].Value is bool yes && yes;
            if (!interactive) Refuse(by, refusal, false);
            var question = new Dictionary<string, object> { ["prompt"] = prompt, ["secure"] = secure, ["by"] = by };
            if (detail.Count > 0) question["detail"] = detail.ToArray();
            Emit("q", question);
            string answer = null;
            var cancel = (CancellationTokenSource)Get("Cancel");
            try { answer = ((System.Collections.Concurrent.BlockingCollection<string>)Get("Answers")).Take(cancel.Token); }
            catch (OperationCanceledException) { answer = null; }
            catch (InvalidOperationException) { answer = null; }
            if (answer == null)
            {
                if (cancel.IsCancellationRequested) throw new PipelineStoppedException();
                Refuse(by, refusal, true);
            }
            return answer;
        }

        private void Refuse(string by, string text, bool declined)
        {
            Set("Refused", text);
            Set("RefusedBy", by);
            Set("Declined", declined);
            throw new PipelineStoppedException();
        }

        private static string OneLine(params string[] parts) =>
            string.Join(" ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).SelectMany(p => p.Split('\n')).Select(p => p.Trim()).Where(p => p.Length > 0));

        private static List<string> Lines(params string[] parts) =>
            parts.Where(p => !string.IsNullOrWhiteSpace(p)).SelectMany(p => p.Replace("\r", "").Split('\n')).Select(p => p.TrimEnd()).ToList();

        private static string Label(ChoiceDescription choice) => choice.Label.Replace("&", "");

        private static string HotKey(ChoiceDescription choice)
        {
            var at = choice.Label.IndexOf('&');
            return at >= 0 && at + 1 < choice.Label.Length ? choice.Label.Substring(at + 1, 1).ToUpperInvariant() : Label(choice);
        }

        /// <summary>As pwsh's console shows it: `[Y] Yes  [N] No  [?] Help (default is "Y")`.</summary>
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            var keys = choices.Select(HotKey).ToList();
            var line = string.Join("  ", choices.Select((c, i) => $"[{keys[i]}] {Label(c)}")) + "  [?] Help" + (defaultChoice >= 0 && defaultChoice < choices.Count ? $" (default is \"{keys[defaultChoice]}\")" : "");
            var by = string.IsNullOrWhiteSpace(caption) ? "PromptForChoice" : caption.Trim();
            var detail = Lines(message);
            var refusal = OneLine(message);
            while (true)
            {
                var answer = Ask(by, line, detail, false, refusal).Trim();
                if (answer.Length == 0 && defaultChoice >= 0 && defaultChoice < choices.Count) return defaultChoice;
                for (var i = 0; i < choices.Count; i++)
                {
                    if (string.Equals(answer, keys[i], StringComparison.OrdinalIgnoreCase) || string.Equals(answer, Label(choices[i]), StringComparison.OrdinalIgnoreCase)) return i;
                }
                // `?` (or anything else): each choice's help, then the question again.
                detail = Lines(message);
                detail.AddRange(choices.Select((c, i) => $"{keys[i]} - {(string.IsNullOrEmpty(c.HelpMessage) ? Label(c) : c.HelpMessage)}"));
            }
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            var by = string.IsNullOrWhiteSpace(caption) ? "Prompt" : caption.Trim();
            var result = new Dictionary<string, PSObject>();
            foreach (var field in descriptions)
            {
                var name = string.IsNullOrEmpty(field.Label) ? field.Name : field.Label.Replace("&", "");
                var type = field.ParameterTypeFullName ?? "";
                if (type.EndsWith("PSCredential", StringComparison.Ordinal)) { result[field.Name] = new PSObject(PromptForCredential(caption, message, null, null)); continue; }
                var secure = type.EndsWith("SecureString", StringComparison.Ordinal);
                var answer = Ask(by, name, Lines(message), secure, OneLine(message, name));
                result[field.Name] = new PSObject(secure ? Secure(answer) : (object)answer);
            }
            return result;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            PromptForCredential(caption, message, userName, targetName, PSCredentialTypes.Default, PSCredentialUIOptions.Default);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        {
            var by = string.IsNullOrWhiteSpace(caption) ? "Get-Credential" : caption.Trim();
            var user = string.IsNullOrEmpty(userName) ? Ask(by, "User", Lines(message), false, OneLine(message, "User")) : userName;
            var password = Ask(by, $"Password for user {user}", Lines(message), true, OneLine(message, $"Password for user {user}"));
            return new PSCredential(user, Secure(password));
        }

        public override string ReadLine() => Ask("Read-Host", "", new List<string>(), false, "");
        public override SecureString ReadLineAsSecureString() => Secure(Ask("Read-Host", "", new List<string>(), true, ""));

        private static SecureString Secure(string text)
        {
            var value = new SecureString();
            foreach (var c in text) value.AppendChar(c);
            value.MakeReadOnly();
            return value;
        }

        // What a script writes to the host itself ($Host.UI.WriteLine) is the cell's output.
        private readonly PSHostRawUserInterface raw = new PromptRawUI();
        public override PSHostRawUserInterface RawUI => raw;
        public override void Write(string value) => Emit("o", value ?? "");
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Emit("o", value ?? "");
        public override void WriteLine(string value) => Emit("o", (value ?? "") + "\n");
        public override void WriteErrorLine(string value) => Emit("e", (value ?? "") + "\n");
        // Set-PSDebug's trace lines ("   12+ line", "! CALL …", "! SET …") come here, and in the
        // session they would trace the engine's own wrapper between the cell's lines: dropped, as
        // the README says (Write-Debug reaches the cell's output as a record, not through here).
        public override void WriteDebugLine(string message)
        {
            if (TraceLine.IsMatch(message ?? "")) return;
            Emit("e", "DEBUG: " + message + "\n");
        }
        private static readonly System.Text.RegularExpressions.Regex TraceLine = new System.Text.RegularExpressions.Regex(@"^\s*\d+\+ |^! ");
        public override void WriteVerboseLine(string message) => Emit("e", "VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Emit("e", "WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
    }

    /// <summary>
    /// A screen as wide as the output is laid out (200 columns): scripts that set the window's
    /// title or colours, or read its size, run as in a terminal; reading keys is not possible.
    /// </summary>
    public sealed class PromptRawUI : PSHostRawUserInterface
    {
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Coordinates CursorPosition { get; set; }
        public override Coordinates WindowPosition { get; set; }
        public override int CursorSize { get; set; } = 25;
        public override Size BufferSize { get; set; } = new Size(200, 9999);
        public override Size WindowSize { get; set; } = new Size(200, 50);
        public override Size MaxWindowSize => new Size(200, 50);
        public override Size MaxPhysicalWindowSize => new Size(200, 50);
        public override bool KeyAvailable => false;
        public override string WindowTitle { get; set; } = "";
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("a runbook cell cannot read single keys; use Read-Host");
        public override void FlushInputBuffer() { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException("a runbook cell cannot read the screen");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    }
}
