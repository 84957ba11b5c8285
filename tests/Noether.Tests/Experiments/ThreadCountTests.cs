using Noether.Experiments;
using Noether.Runs;
using Xunit;

namespace Noether.Tests.Experiments;

/// <summary>
/// A run's numbers do not depend on how many threads computed them: every experiment at its small
/// config gives the same metrics.csv, byte for byte, with 1 and with 2 threads (GEMMs split by whole
/// panels or members, elementwise work by whole members, never inside a sum).
/// </summary>
[Collection("console")]
public class ThreadCountTests
{
    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(ResumeEveryExperimentTests.Ids), MemberType = typeof(ResumeEveryExperimentTests))]
    public void One_and_two_threads_give_byte_identical_metrics(string id) =>
        Assert.True(Metrics(id, 1) == Metrics(id, 2), $"{id}: metrics.csv differs between 1 and 2 threads");

    private static string Metrics(string id, int threads)
    {
        string dir = Directory.CreateTempSubdirectory("noether-threads-").FullName;
        try
        {
            var r = ExperimentRunner.Run(new RunRequest(id) { Sets = ResumeEveryExperimentTests.Small[id], OutputDirectory = Path.Combine(dir, "run"), Threads = threads });
            Assert.Equal(RunStatus.Completed, r.Record.Status);
            return File.ReadAllText(Path.Combine(r.Directory, "metrics.csv"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
