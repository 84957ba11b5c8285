using Noether.Cli;
using Noether.Tests.Reports;

namespace Noether.Tests.Framework;

[Collection("console")]
public class ReproduceJobsTests
{
    [Fact, Trait("Category", "Integration")]
    public void Reproduce_gives_byte_identical_metrics_with_one_job_or_two()
    {
        string root = ReportFixtures.TempDir("reproduce-jobs");
        string[] ids = ["entropic-balance", "crh"];
        foreach (int jobs in new[] { 1, 2 })
            Assert.Equal(Commands.Ok, Commands.Main(["reproduce", "--only", string.Join(',', ids), "--jobs", $"{jobs}", "--out", Path.Combine(root, $"jobs{jobs}"), "--no-fail"]));
        foreach (var id in ids)
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, "jobs1", id, "metrics.csv")), File.ReadAllBytes(Path.Combine(root, "jobs2", id, "metrics.csv")));
        Directory.Delete(root, true);
    }

    [Fact]
    public void Zero_jobs_is_a_user_error()
    {
        string root = ReportFixtures.TempDir("reproduce-jobs0");
        Assert.Equal(Commands.UserError, Commands.Main(["reproduce", "--only", "crh", "--jobs", "0", "--out", Path.Combine(root, "x")]));
        Assert.False(Directory.Exists(Path.Combine(root, "x")));
        Directory.Delete(root, true);
    }
}
