// The host's hot paths in C# (host.ps1 compiles this with prompt-host.cs into the cached DLL
// and uses it when that DLL is there as the session starts): PowerShell script is compiled per
// function and call site on first use, and the host's parse replies, steps and masking rules
// cost ~0.2 s of CPU that way in every run. Each method does exactly what the script function
// of the same name in host.ps1 does (that one stays: a session that finds no DLL yet, while it
// is compiled once per pwsh version, runs on it); test/pwsh-host-tools.test.ts compares both.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Runbook
{
    /// <summary>The run's masking for a cell (redact.ts's rules as data), as the cells' helpers read it.</summary>
    public sealed class Mask
    {
        public string Text { get; set; }
        public string Replacement { get; set; }
        public Regex Forms { get; set; }
        public MaskPattern[] Patterns { get; set; }
        public Regex Any { get; set; }
    }

    public sealed class MaskPattern
    {
        public Regex Regex { get; set; }
        public string Replacement { get; set; }
    }

    public static class HostTools
    {
        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        /// <summary>Add-Steps in host.ps1: `; __runbook_step $? <line> [-Compound] -ErrorAction Ignore` after each top-level statement but definitions, then the line that records $?.</summary>
        public static string AddSteps(string text)
        {
            text ??= "";
            var ast = Parser.ParseInput(text, out _, out var errors);
            if (errors.Length > 0) return text;
            var output = new StringBuilder();
            var at = 0;
            if (ast.EndBlock != null && ast.EndBlock.Unnamed)
            {
                foreach (var statement in ast.EndBlock.Statements)
                {
                    if (statement is FunctionDefinitionAst || statement is TypeDefinitionAst || statement is UsingStatementAst || statement is ConfigurationDefinitionAst) continue;
                    var end = statement.Extent.EndOffset;
                    output.Append(text, at, end - at).Append("; __runbook_step $? " + statement.Extent.EndLineNumber + (statement is PipelineBaseAst ? "" : " -Compound") + " -ErrorAction Ignore");
                    at = end;
                }
            }
            output.Append(text, at, text.Length - at).Append("\n\n$global:__runbook_ok = $?\n");
            return output.ToString();
        }

        /// <summary>Set-Mask in host.ps1: the rules compiled (forms longest first, as sent).</summary>
        public static Mask CompileMask(JsonElement rules)
        {
            var forms = new List<string>();
            foreach (var form in rules.GetProperty("forms").EnumerateArray()) forms.Add(Regex.Escape(form.GetString()));
            var patterns = new List<MaskPattern>();
            foreach (var rule in rules.GetProperty("patterns").EnumerateArray())
            {
                patterns.Add(new MaskPattern { Regex = new Regex(rule.GetProperty("source").GetString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), Replacement = rule.GetProperty("replacement").GetString() });
            }
            var any = new List<string>(forms);
            foreach (var pattern in patterns) any.Add(pattern.Regex.ToString());
            var text = rules.GetProperty("mask").GetString();
            return new Mask
            {
                Text = text,
                Replacement = text.Replace("$", "$$"),
                Forms = forms.Count > 0 ? new Regex(string.Join("|", forms), RegexOptions.CultureInvariant) : null,
                Patterns = patterns.ToArray(),
                Any = new Regex("(?:" + string.Join(")|(?:", any) + ")", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
            };
        }

        /// <summary>Set-JobEnvironment in host.ps1: the process environment becomes the job's, except the host's own variables.</summary>
        public static void SetEnvironment(JsonElement wanted, ICollection own)
        {
            var keep = Own(own);
            var want = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in wanted.EnumerateObject()) want[property.Name] = property.Value.GetString();
            var names = new List<string>();
            foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables()) names.Add((string)entry.Key);
            foreach (var name in names) if (!want.ContainsKey(name) && !keep.Contains(name)) System.Environment.SetEnvironmentVariable(name, null);
            foreach (var entry in want)
            {
                if (!keep.Contains(entry.Key) && !string.Equals(System.Environment.GetEnvironmentVariable(entry.Key), entry.Value, StringComparison.Ordinal)) System.Environment.SetEnvironmentVariable(entry.Key, entry.Value);
            }
        }

        /// <summary>Get-State's environment in host.ps1: every variable but the host's own.</summary>
        public static Dictionary<string, string> Variables(ICollection own)
        {
            var keep = Own(own);
            var vars = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables()) if (!keep.Contains((string)entry.Key)) vars[(string)entry.Key] = (string)entry.Value;
            return vars;
        }

        // The host's own variables (a PowerShell hashtable's keys: any case).
        private static HashSet<string> Own(ICollection own)
        {
            var keep = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in own) keep.Add(Convert.ToString(name));
            return keep;
        }

        /// <summary>
        /// What PowerShell's listing of commands depends on besides its version (which names the
        /// cache file): its settings files (experimental features add and remove cmdlets), the
        /// module path, and in each of its folders every module folder, the files at its root and
        /// in its version folders (manifests, root modules) by name, time and size. A module
        /// installed, removed, updated or edited changes it; PowerShell's own analysis cache goes
        /// by the same files' times.
        /// </summary>
        public static string ModulesFingerprint(string modulePath, string[] settings)
        {
            var text = new StringBuilder(modulePath ?? "").Append('\n');
            foreach (var path in settings ?? Array.Empty<string>())
            {
                var file = new FileInfo(path);
                text.Append(path).Append(' ').Append(file.Exists ? file.LastWriteTimeUtc.Ticks : -1).Append(' ').Append(file.Exists ? file.Length : -1).Append('\n');
            }
            foreach (var root in (modulePath ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var folder = new DirectoryInfo(root);
                if (folder.Exists) Describe(text, folder, 2);
                else text.Append("- ").Append(root).Append('\n');
            }
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }

        private static void Describe(StringBuilder text, DirectoryInfo folder, int depth)
        {
            text.Append(folder.FullName).Append(' ').Append(folder.LastWriteTimeUtc.Ticks).Append('\n');
            FileSystemInfo[] entries;
            try { entries = folder.GetFileSystemInfos(); }
            catch (Exception error) when (error is IOException || error is UnauthorizedAccessException) { text.Append("?\n"); return; }
            Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var entry in entries)
            {
                if (entry is DirectoryInfo inner && depth > 0) Describe(text, inner, depth - 1);
                else text.Append(entry.Name).Append(' ').Append(entry.LastWriteTimeUtc.Ticks).Append(' ').Append(entry is FileInfo file ? file.Length : -1).Append('\n');
            }
        }

        /// <summary>PowerShell's commands as listed for the same fingerprint, or null: the file's first line is the fingerprint, then a name a line.</summary>
        public static HashSet<string> CachedCommands(string file, string fingerprint)
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (Exception error) when (error is IOException || error is UnauthorizedAccessException) { return null; }
            if (lines.Length == 0 || lines[0] != fingerprint) return null;
            return new HashSet<string>(lines.Skip(1), StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>Keeps a listing for the next session: written beside, then moved into place, so no session reads half of it.</summary>
        public static void CacheCommands(string file, string fingerprint, IEnumerable<string> names)
        {
            var partial = file + "." + System.Environment.ProcessId + ".partial";
            try
            {
                // A name with a line end cannot be called by name in a cell anyway.
                File.WriteAllLines(partial, new[] { fingerprint }.Concat(names.Where(name => name.IndexOf('\n') < 0 && name.IndexOf('\r') < 0)));
                File.Move(partial, file, true);
            }
            catch (Exception error) when (error is IOException || error is UnauthorizedAccessException)
            {
                try { File.Delete(partial); } catch (Exception) { }
            }
        }

        private static readonly HashSet<string> ArgumentEnd = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "NewLine", "Semi", "Pipe", "EndOfInput", "AndAnd", "OrOr", "RParen", "RCurly", "LCurly", "Ampersand" };
        private static readonly Regex PathLike = new Regex(@"[/\\]");

        /// <summary>Send-Parse in host.ps1: the `p` reply to a parse request, as JSON; `powershell` are PowerShell's own commands (Read-PowerShellCommands).</summary>
        public static string Parse(JsonElement request, ISet<string> powershell)
        {
            var source = request.GetProperty("source").GetString();
            var ast = Parser.ParseInput(source, out var tokens, out var errors);
            var reply = new Dictionary<string, object> { ["id"] = request.GetProperty("id").GetInt32() };
            var problems = new List<object>();
            foreach (var problem in errors)
            {
                problems.Add(new Dictionary<string, object> { ["message"] = problem.Message, ["line"] = problem.Extent.StartLineNumber, ["column"] = problem.Extent.StartColumnNumber });
            }
            reply["errors"] = problems;
            var spots = new List<object>();
            foreach (var atElement in request.GetProperty("at").EnumerateArray())
            {
                var at = atElement.GetInt32();
                var token = FindToken(tokens, at);
                var spot = new Dictionary<string, object> { ["at"] = at };
                if (token != null)
                {
                    spot["kind"] = token.Kind.ToString();
                    spot["start"] = token.Extent.StartOffset;
                    spot["end"] = token.Extent.EndOffset;
                    spot["commandName"] = token.TokenFlags.HasFlag(TokenFlags.CommandName);
                    if (token is StringLiteralToken literal) spot["value"] = literal.Value;
                    // After `--%` (stop-parsing) the rest of the line goes to the program as written: no variable expands there.
                    for (var i = 1; i < tokens.Length; i++)
                    {
                        if (tokens[i].Extent.StartOffset == token.Extent.StartOffset && string.Equals(tokens[i - 1].Text, "--%", StringComparison.OrdinalIgnoreCase)) spot["verbatim"] = true;
                    }
                    var reparsed = token.Kind != TokenKind.Comment ? Reparsed(ast, at) : null;
                    if (!string.IsNullOrEmpty(reparsed)) spot["reparsed"] = reparsed;
                }
                spots.Add(spot);
            }
            reply["spots"] = spots;
            var commands = new List<object>();
            var functions = new List<object>();
            var flat = new List<Token>();
            AddTokens(flat, tokens);
            for (var i = 0; i < flat.Count; i++)
            {
                var token = flat[i];
                if (token.Kind == TokenKind.Function && i + 1 < flat.Count) { functions.Add(flat[i + 1].Text); continue; }
                if (!token.TokenFlags.HasFlag(TokenFlags.CommandName)) continue;
                var name = token.Text;
                var arguments = new List<object>();
                for (var j = i + 1; j < flat.Count && !ArgumentEnd.Contains(flat[j].Kind.ToString()); j++)
                {
                    arguments.Add(flat[j] is StringToken text ? text.Value : flat[j].Text);
                }
                commands.Add(new Dictionary<string, object>
                {
                    ["name"] = name,
                    ["line"] = token.Extent.StartLineNumber,
                    ["dot"] = i > 0 && flat[i - 1].Kind == TokenKind.Dot,
                    ["powershell"] = !PathLike.IsMatch(name) && powershell.Contains(name),
                    ["arguments"] = arguments,
                });
            }
            reply["commands"] = commands;
            reply["functions"] = functions;
            return JsonSerializer.Serialize(reply, Json);
        }

        // The innermost token at an offset, looking into the tokens nested in expandable strings.
        private static Token FindToken(IEnumerable<Token> tokens, int at)
        {
            foreach (var token in tokens)
            {
                if (token.Extent.StartOffset <= at && at < token.Extent.EndOffset)
                {
                    if (token is StringExpandableToken expandable && expandable.NestedTokens != null && expandable.NestedTokens.Count > 0)
                    {
                        var inner = FindToken(expandable.NestedTokens, at);
                        if (inner != null) return inner;
                    }
                    return token;
                }
            }
            return null;
        }

        private static void AddTokens(List<Token> list, IEnumerable<Token> tokens)
        {
            foreach (var token in tokens)
            {
                list.Add(token);
                if (token is StringExpandableToken expandable && expandable.NestedTokens != null && expandable.NestedTokens.Count > 0) AddTokens(list, expandable.NestedTokens);
            }
        }

        // Text that PowerShell (or a program it starts) parses again as code: a value bound there runs.
        private static readonly Dictionary<string, string> ReparsingCommands = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["invoke-expression"] = "Invoke-Expression", ["iex"] = "Invoke-Expression (iex)", ["add-type"] = "Add-Type" };
        private static readonly Dictionary<string, Regex> CodeFlags = CodeFlagTable();
        private static readonly Regex ScriptBlockType = new Regex(@"^(System\.Management\.Automation\.)?scriptblock$", RegexOptions.IgnoreCase);
        private static readonly HashSet<string> ReparsingMembers = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "InvokeScript", "NewScriptBlock", "ExpandString", "AddScript" };

        private static Dictionary<string, Regex> CodeFlagTable()
        {
            var powershell = new Regex("^(c|co|com|comm|comma|comman|command|e|ec|en|enc|encodedcommand)$", RegexOptions.IgnoreCase);
            var c = new Regex("^c$", RegexOptions.IgnoreCase);
            return new Dictionary<string, Regex>(StringComparer.OrdinalIgnoreCase)
            {
                ["pwsh"] = powershell, ["powershell"] = powershell, ["bash"] = c, ["sh"] = c, ["zsh"] = c, ["cmd"] = new Regex("^[ck]$", RegexOptions.IgnoreCase), ["python"] = c, ["python3"] = c, ["psql"] = c,
            };
        }

        private static bool Inside(Ast node, int at) => node.Extent.StartOffset <= at && at < node.Extent.EndOffset;

        /// <summary>Get-Reparsed in host.ps1: why the text at an offset is parsed again as code, or null.</summary>
        private static string Reparsed(Ast root, int at)
        {
            foreach (var node in root.FindAll(n => Inside(n, at), true))
            {
                if (node is CommandAst command)
                {
                    var name = command.GetCommandName() ?? "";
                    var program = System.IO.Path.GetFileNameWithoutExtension(name).ToLowerInvariant();
                    var elements = new List<CommandElementAst>();
                    for (var i = 1; i < command.CommandElements.Count; i++) elements.Add(command.CommandElements[i]);
                    if (ReparsingCommands.TryGetValue(name.ToLowerInvariant(), out var what) && elements.Exists(e => Inside(e, at))) return $"the text {what} runs as code";
                    if (CodeFlags.TryGetValue(program, out var flags))
                    {
                        var flagged = false;
                        string flag = null;
                        foreach (var element in elements)
                        {
                            if (flagged && Inside(element, at)) return $"the program text of {program} -{flag}";
                            var text = Regex.Replace(element.Extent.Text, "^[-/]+", "");
                            if (!flagged && Regex.IsMatch(element.Extent.Text, "^[-/]") && flags.IsMatch(text)) { flagged = true; flag = text; }
                        }
                    }
                }
                else if (node is InvokeMemberExpressionAst invoke)
                {
                    var member = invoke.Member.Extent.Text.Trim('\'', '"');
                    var type = invoke.Expression is TypeExpressionAst typeExpression ? typeExpression.TypeName.FullName : "";
                    var reparses = (string.Equals(member, "Create", StringComparison.OrdinalIgnoreCase) && ScriptBlockType.IsMatch(type)) || ReparsingMembers.Contains(member);
                    if (reparses && invoke.Arguments != null)
                    {
                        foreach (var argument in invoke.Arguments) if (Inside(argument, at)) return $"the text {(type.Length > 0 ? $"[{type}]::" : ".")}{member}() parses as code";
                    }
                }
                else if (node is ConvertExpressionAst convert && ScriptBlockType.IsMatch(convert.Type.TypeName.FullName))
                {
                    return "a string made into a [scriptblock]";
                }
            }
            return null;
        }
    }
}
