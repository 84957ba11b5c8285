using System.Text.Json.Nodes;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Experiments;

/// <summary>Every experiment describes its members in run.json, and those are exactly the members its metrics.csv rows name.</summary>
public class MembersTests
{
    public static TheoryData<string> Ids() => [.. Registry.All.Select(e => e.Id)];

    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(Ids))]
    public void Members_match_the_metrics_and_map_one_to_one_to_seed_and_condition(string id)
    {
        string dir = Directory.CreateTempSubdirectory("noether-members-").FullName;
        const long seed = 5;
        var result = ExperimentRunner.Run(new RunRequest(id) { Seed = seed, OutputDirectory = dir });
        Assert.Equal(RunStatus.Completed, result.Record.Status);
        var members = RunRecord.Load(dir).Members;
        var listed = members.Select(m => ((string)m["phase"]!, (int)m["member"]!)).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        var rows = MetricsWriter.Read(Path.Combine(dir, "metrics.csv"));
        var logged = rows.Select(r => (r.Phase, r.Member)).Distinct().ToHashSet();
        Assert.Equal(listed.ToHashSet(), logged);
        foreach (var phase in members.GroupBy(m => (string)m["phase"]!))
        {
            // Members are 0 … P−1, each a distinct (seed, condition), every seed is run seed + index.
            Assert.Equal(Enumerable.Range(0, phase.Count()), phase.Select(m => (int)m["member"]!).Order());
            var keys = phase.Select(m => new JsonObject(m.Where(kv => kv.Key is not ("phase" or "member")).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))).ToJsonString()).ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
            var seeds = phase.Select(m => (long)m["seed"]!).Distinct().Order().ToList();
            Assert.Equal(Enumerable.Range(0, seeds.Count).Select(s => seed + s), seeds);
        }
        // Conditions live in members, never packed into the layer column.
        Assert.DoesNotContain(rows, r => r.Layer.Contains('='));
        Directory.Delete(dir, true);
    }
}
