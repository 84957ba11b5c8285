using Noether.Cli;
using Noether.Experiments;
using Noether.Reports;
using Noether.Runs;

namespace Noether.Tests.Reports;

public class ClaimRobustnessTests
{
    private static ClaimRobustness.SeedRun Run(long seed, params Claim[] claims) => new(seed, "exp", RunStatus.Completed, claims);

    [Fact]
    public void Counts_passes_per_claim_with_the_spread_of_its_value_and_the_failing_seeds()
    {
        var rows = ClaimRobustness.Of([
            Run(1, Claim.AtLeast("a", "", 3, 2), Claim.AtMost("k", "", 0, 0).AsCheck()),
            Run(2, Claim.AtLeast("a", "", 1, 2), Claim.AtMost("k", "", 0, 0).AsCheck()),
            Run(3, Claim.AtLeast("a", "", 5, 2), Claim.AtMost("k", "", 0, 0).AsCheck()),
            Run(4, Claim.AtLeast("a", "", 4, 2), Claim.AtMost("k", "", 0, 0).AsCheck()),
        ]);
        var a = rows.Single(r => r.Id == "a");
        Assert.Equal((3, 4), (a.Passed, a.Seeds));
        Assert.Equal((1.0, 3.5, 5.0), (a.Min!.Value, a.Median!.Value, a.Max!.Value)); // even count: mean of the middle two
        Assert.Equal([2L], a.FailingSeeds);
        Assert.False(a.Robust);
        Assert.Equal(ClaimKind.Check, rows.Single(r => r.Id == "k").Kind);
        Assert.Equal("0/1 paper claims and 1/1 checks pass on every seed (seeds 1–4)", ClaimRobustness.Headline(rows, [1, 2, 3, 4]));
    }

    [Fact]
    public void A_seed_whose_run_did_not_complete_counts_against_every_claim()
    {
        var rows = ClaimRobustness.Of([
            Run(1, Claim.AtLeast("a", "", 3, 2)),
            new ClaimRobustness.SeedRun(2, "exp", RunStatus.Failed, []),
        ]);
        var a = Assert.Single(rows);
        Assert.Equal((1, 2), (a.Passed, a.Seeds));
        Assert.Equal([2L], a.FailingSeeds);
        Assert.Equal(3.0, a.Median);
    }

    [Fact]
    public void A_non_finite_measurement_fails_and_is_left_out_of_the_spread()
    {
        var a = Assert.Single(ClaimRobustness.Of([Run(1, Claim.AtMost("a", "", double.NaN, 1)), Run(2, Claim.AtMost("a", "", 0.5, 1))]));
        Assert.Equal((1, 0.5, 0.5), (a.Passed, a.Min!.Value, a.Max!.Value));
    }

    [Theory]
    [InlineData(new long[] { 1, 2, 3 }, "seeds 1–3")]
    [InlineData(new long[] { 1, 4, 7 }, "seeds 1, 4, 7")]
    [InlineData(new long[] { 5 }, "seed 5")]
    public void Seed_ranges_read_as_a_range_only_when_contiguous(long[] seeds, string text) => Assert.Equal(text, ClaimRobustness.SeedText(seeds));

    [Fact]
    public void Summarize_reads_seed_folders_and_refuses_the_same_run_twice()
    {
        string root = ReportFixtures.TempDir("summarize");
        ReportFixtures.WriteRun(Path.Combine(root, "seed-4"), []);
        var runs = ClaimRobustness.Load([root]);
        Assert.Equal(4, Assert.Single(runs).Seed);
        // The fixture has one passing and one failing claim: summarize exits 1, and names the markdown it wrote.
        string md = Path.Combine(root, "table.md");
        Assert.Equal(Commands.ClaimsFailed, Commands.Main(["summarize", root, "--markdown", md]));
        Assert.Contains("| noise-equilibrium | H-b.growth | claim | >= 5 | **0/1** | 3 | 3 | 3 | 4 |", File.ReadAllText(md));
        // The table never goes over an existing file (Noether did not write it).
        File.WriteAllText(md, "mine");
        Assert.Equal(Commands.UserError, Commands.Main(["summarize", root, "--markdown", md]));
        Assert.Equal("mine", File.ReadAllText(md));
        ReportFixtures.WriteRun(Path.Combine(root, "copy"), []);
        var e = Assert.Throws<FormatException>(() => ClaimRobustness.Load([root]));
        Assert.Contains("noise-equilibrium at seed 4 appears 2 times", e.Message);
        Assert.Equal(Commands.UserError, Commands.Main(["summarize", Path.Combine(root, "absent")]));
    }
}
