using Noether.Experiments;
using Noether.Runs;
using Noether.Tests.Data;

namespace Noether.Tests.Experiments;

/// <summary>
/// Negative controls (src/Noether/Experiments/NegativeControl.cs): every control makes each claim it lists FAIL;
/// every paper claim of every quick profile has a control or is listed as uncontrolled with the reason; and
/// each docs/experiments/&lt;id&gt;.md has a "Negative controls" section generated from the table and the
/// measured values (NOETHER_UPDATE_DOCS=1 rewrites it; without it the test fails when the page has drifted).
/// </summary>
public class NegativeControlTests
{
    /// <summary>
    /// Settings that shorten each experiment (seeds, steps, epochs) without changing which claims it produces
    /// (rules, conditions, γ lists and the like stay at the quick profile), to enumerate its claims cheaply.
    /// </summary>
    private static readonly Dictionary<string, string[]> Enumeration = new()
    {
        ["hebbian"] = ["seeds=1", "decay.batch=32", "decay.steps=200", "noise.steps=200"],
        ["heterosynaptic"] = ["seeds=1", "network.steps=50", "consistency.window=10", "evolution.population=4", "evolution.elites=1", "evolution.steps=20", "evolution.fitness_window=5", "metaplasticity.train_steps=10", "metaplasticity.history_steps=10"],
        ["self-assembly"] = ["seeds=1", "network.steps=100"],
        ["noise-equilibrium"] = ["seeds=1", "balance.sgd_steps=200", "balance.gd_steps=200", "balance.rate_max_steps=200", "scale.steps=200", "warmup.steps=200", "warmup.warmup_steps=100"],
        ["entropic-balance"] = ["seeds=1", "alignment.sgd_steps=200", "alignment.anneal_steps=100", "alignment.gd_steps=200", "neuron_balance.sgd_steps=200", "neuron_balance.gd_steps=200", "discretisation.steps=20", "deep.sgd_steps=200", "deep.anneal_steps=100", "deep.gd_steps=200"],
        ["symmetry-hierarchy"] = ["seeds=1", "ladder_steps=500"],
        ["crh"] = ["seeds=1", "steps=200", "probe_every=100", "null_samples=2"],
        ["syre"] = ["seeds=1", "steps=200"],
        ["multimodal-alignment"] = ["seeds=1", "train.epochs=1", "train.fixed_epochs=1", "data.train_samples=4096", "data.test_samples=1024"],
        ["compositional"] = ["seeds=1", "mlp.epochs=2", "stripe.epochs=2", "low_rank.epochs=2"],
    };

    /// <summary>
    /// Settings that shorten each real-data variant that has controls (steps, sample sizes, baselines) without
    /// changing which claims it produces; enumerated only where the data is installed.
    /// </summary>
    private static readonly Dictionary<string, string[]> RealEnumeration = new()
    {
        ["self-assembly"] = ["data=fashion-mnist", "data.n_train=500", "data.n_test=200", "real.steps=100", "baselines=backprop"],
    };

    public static TheoryData<string> Controls()
    {
        var data = new TheoryData<string>();
        foreach (var c in NegativeControls.All.Where(c => !c.RealData)) data.Add(Key(c));
        return data;
    }

    public static TheoryData<string> RealDataControls()
    {
        var data = new TheoryData<string>();
        foreach (var c in NegativeControls.All.Where(c => c.RealData)) data.Add(Key(c));
        return data;
    }

    public static TheoryData<string> RealDataExperiments()
    {
        var data = new TheoryData<string>();
        foreach (var id in RealEnumeration.Keys) data.Add(id);
        return data;
    }

    public static TheoryData<string> Experiments()
    {
        var data = new TheoryData<string>();
        foreach (var e in Registry.All) data.Add(e.Id);
        return data;
    }

    private static string Key(NegativeControl c) => $"{c.Experiment}/{c.Name}";

    private static IReadOnlyList<Claim> Run(string experiment, IReadOnlyList<string> sets)
    {
        var exp = Registry.Get(experiment);
        var config = ExperimentRunner.ResolveConfig(exp, new RunRequest(experiment) { Sets = sets });
        return exp.Run(config, new RunContext(1, "quick", 1, MetricsWriter.InMemory()));
    }

    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(Controls))]
    public void The_control_makes_its_claims_fail(string key) => Check(key);

    /// <summary>A control of a real-data variant: skipped, with the reason, where the data set is not installed.</summary>
    [FashionMnistInstalledTheory, Trait("Category", "Integration"), Trait("Category", "RealData")]
    [MemberData(nameof(RealDataControls))]
    public void The_real_data_control_makes_its_claims_fail(string key) => Check(key);

    /// <summary>
    /// A measured value as the page shows it. A nonzero value below 1e-12 in size is float64 rounding of a quantity that is 0
    /// in exact arithmetic; its digits depend on the machine's vector width in library reductions (e.g. 3.751e-14 with AVX2,
    /// 3.732e-14 with AVX-512 for noise-equilibrium's GD growth exponent), so the page says only that it is at rounding level.
    /// </summary>
    private static string Shown(double v) => v != 0 && Math.Abs(v) < 1e-12 ? "0 to rounding (|value| < 1e-12)" : Claim.Format(v);

    private static void Check(string key)
    {
        var control = NegativeControls.All.Single(c => Key(c) == key);
        var claims = Run(control.Experiment, control.Sets);
        var wrong = new List<string>();
        var measured = new List<string>();
        foreach (var id in control.Fails)
        {
            var claim = claims.SingleOrDefault(c => c.Id == id);
            if (claim is null) { wrong.Add($"{id} was not produced"); continue; }
            if (claim.Passed) wrong.Add($"{id} PASSED: {Claim.Format(claim.Measured)} {claim.ComparisonText} {claim.ThresholdText}");
            measured.Add($"`{id}` {Shown(claim.Measured)} (needs {claim.ComparisonText} {claim.ThresholdText})");
        }
        Assert.True(wrong.Count == 0, $"negative control {key} ({string.Join(" ", control.Sets)}) must make its claims fail:\n" + string.Join("\n", wrong));
        ControlDocs.CheckOrUpdate(control.Experiment, control.Name, string.Join("; ", measured));
    }

    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(Experiments))]
    public void Every_paper_claim_has_a_control_or_is_listed_as_uncontrolled(string experiment)
    {
        var claims = Run(experiment, Enumeration[experiment]);
        var problems = Enumerate(experiment, claims, real: false);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The same for the claims of a real-data variant, against the controls that run it (skipped where the data is not installed).</summary>
    [FashionMnistInstalledTheory, Trait("Category", "Integration"), Trait("Category", "RealData")]
    [MemberData(nameof(RealDataExperiments))]
    public void Every_real_data_claim_has_a_control_or_is_listed_as_uncontrolled(string experiment)
    {
        var claims = Run(experiment, RealEnumeration[experiment]);
        var problems = Enumerate(experiment, claims, real: true);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static List<string> Enumerate(string experiment, IReadOnlyList<Claim> claims, bool real)
    {
        var paper = claims.Where(c => c.Kind == ClaimKind.Claim).Select(c => c.Id).ToHashSet();
        var checks = claims.Where(c => c.Kind == ClaimKind.Check).Select(c => c.Id).ToHashSet();
        var controlled = NegativeControls.Of(experiment).Where(c => c.RealData == real).SelectMany(c => c.Fails).ToHashSet();
        var listed = NegativeControls.UncontrolledOf(experiment).Select(u => u.ClaimId).Where(id => !real || paper.Contains(id)).ToList();
        var problems = new List<string>();
        foreach (var id in paper.Where(id => !controlled.Contains(id) && !listed.Contains(id)))
            problems.Add($"paper claim {id} has no negative control (add one to NegativeControls.All, or list it in NegativeControls.Uncontrolled with the reason)");
        foreach (var id in controlled.Where(checks.Contains))
            problems.Add($"{id} is a check: controls are for paper claims");
        foreach (var id in controlled.Where(id => !paper.Contains(id) && !checks.Contains(id)))
            problems.Add($"a control lists {id}, which {experiment} does not produce");
        foreach (var id in listed.Where(id => !paper.Contains(id)))
            problems.Add($"Uncontrolled lists {id}, which is not a paper claim of {experiment}");
        foreach (var id in listed.Where(controlled.Contains))
            problems.Add($"{id} is listed as uncontrolled but a control fails it");
        foreach (var id in listed.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key))
            problems.Add($"{id} is listed twice as uncontrolled");
        return problems;
    }

    [Fact]
    public void The_table_names_registered_experiments_and_unique_controls()
    {
        var ids = Registry.All.Select(e => e.Id).ToHashSet();
        Assert.Equal(ids.Order(), Enumeration.Keys.Order());
        foreach (var c in NegativeControls.All)
        {
            Assert.Contains(c.Experiment, ids);
            Assert.NotEmpty(c.Fails);
            Assert.Equal(c.Fails.Count, c.Fails.Distinct().Count());
            Assert.DoesNotContain('|', c.Why);
            // Every setting must be accepted as it stands (a typo would otherwise only show as a failed run); a real-data
            // control's setting can be resolved only where its data set is installed.
            if (c.RealData && !Directory.Exists(FashionMnistInstalledFactAttribute.Directory)) continue;
            ExperimentRunner.ResolveConfig(Registry.Get(c.Experiment), new RunRequest(c.Experiment) { Sets = c.Sets });
        }
        Assert.Equal(NegativeControls.All.Count, NegativeControls.All.Select(Key).Distinct().Count());
        foreach (var u in NegativeControls.Uncontrolled) Assert.Contains(u.Experiment, ids);
    }

    [Fact]
    public void Each_page_lists_its_controls_and_uncontrolled_claims()
    {
        foreach (var e in Registry.All) ControlDocs.CheckOrUpdate(e.Id, null, null);
    }
}

/// <summary>The "Negative controls" section of docs/experiments/&lt;id&gt;.md, generated from <see cref="NegativeControls"/>.</summary>
internal static class ControlDocs
{
    public const string Heading = "## Negative controls";
    private const string NotMeasured = "(not measured yet: run with NOETHER_UPDATE_DOCS=1)";
    private static readonly object Gate = new();
    private static bool Update => Environment.GetEnvironmentVariable("NOETHER_UPDATE_DOCS") == "1";

    private static string Page(string experiment) => Path.Combine(Root(), "docs", "experiments", experiment + ".md");

    private static string Prefix(NegativeControl c) => $"| `{c.Name}` | {string.Join(" ", c.Sets.Select(s => $"`{s}`"))} | {c.Why} | ";

    private static List<string> Section(string experiment, Func<NegativeControl, string> cell)
    {
        var lines = new List<string>
        {
            Heading,
            "",
            "Settings where the paper predicts the opposite, or where the mechanism is switched off (`noether run " + experiment + " --set …`,",
            "quick profile otherwise, run seed 1; sizes not named in the reason are shrunk to keep the test short). Each must make every",
            "listed claim FAIL; the measured values are this run's. Generated from `src/Noether/Experiments/NegativeControl.cs` and",
            "checked by `tests/Noether.Tests/Experiments/NegativeControlTests.cs` (`NOETHER_UPDATE_DOCS=1 dotnet test -c Release",
            "--filter NegativeControl` rewrites it).",
            "",
        };
        var controls = NegativeControls.Of(experiment).ToList();
        if (controls.Count > 0)
        {
            lines.Add("| control | setting | why it must fail | claims it fails: measured (required) |");
            lines.Add("|---|---|---|---|");
            lines.AddRange(controls.Select(c => Prefix(c) + cell(c) + " |"));
            lines.Add("");
        }
        var uncontrolled = NegativeControls.UncontrolledOf(experiment).ToList();
        if (uncontrolled.Count == 0)
            lines.Add("Every paper claim of the quick profile has a control.");
        else
        {
            lines.Add("Paper claims without a control (findings: each should become a check, or measure something that can fail):");
            lines.Add("");
            lines.AddRange(uncontrolled.Select(u => $"- `{u.ClaimId}`: {u.Reason}"));
        }
        lines.Add("");
        return lines;
    }

    /// <summary>
    /// Checks the page's section against the table (and, when given, one control's measured cell); with
    /// NOETHER_UPDATE_DOCS=1 writes it instead, before "## Deviations" if the page has none yet.
    /// </summary>
    public static void CheckOrUpdate(string experiment, string? control, string? cell)
    {
        lock (Gate)
        {
            string page = Page(experiment);
            var lines = File.ReadAllLines(page).ToList();
            int start = lines.IndexOf(Heading);
            int end = start < 0 ? -1 : lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
            if (start >= 0 && end < 0) end = lines.Count;
            var current = start < 0 ? [] : lines.GetRange(start, end - start);
            var cells = new Dictionary<string, string>();
            foreach (var c in NegativeControls.Of(experiment))
            {
                string prefix = Prefix(c);
                var row = current.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith(" |", StringComparison.Ordinal));
                if (row is not null) cells[c.Name] = row[prefix.Length..^2];
            }
            if (control is not null) cells[control] = cell!;
            var expected = Section(experiment, c => cells.TryGetValue(c.Name, out var v) ? v : NotMeasured);
            if (Update)
            {
                if (start >= 0) lines.RemoveRange(start, end - start);
                else start = lines.IndexOf("## Deviations") is var d and >= 0 ? d : lines.Count;
                lines.InsertRange(start, expected);
                File.WriteAllText(page, string.Join("\n", lines) + "\n");
                return;
            }
            Assert.True(start >= 0, $"docs/experiments/{experiment}.md has no '{Heading}' section (NOETHER_UPDATE_DOCS=1 dotnet test --filter NegativeControl writes it)");
            Assert.True(current.SequenceEqual(expected),
                $"docs/experiments/{experiment}.md: the '{Heading}' section differs from the table and the measured values (NOETHER_UPDATE_DOCS=1 rewrites it); expected:\n" + string.Join("\n", expected));
            Assert.False(expected.Any(l => l.Contains(NotMeasured, StringComparison.Ordinal)), $"docs/experiments/{experiment}.md: a control's measured values are missing (NOETHER_UPDATE_DOCS=1 writes them)");
        }
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Noether.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Noether.slnx above {AppContext.BaseDirectory}");
    }
}
