using System.Text.Json.Nodes;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Framework;

public class RunFolderTests
{
    private static readonly string[] Short = ["balance.sgd_steps=300", "balance.gd_steps=50", "scale.steps=300", "warmup.steps=300", "warmup.warmup_steps=100", "seeds=2"];

    [Fact]
    public void Run_folder_has_run_json_metrics_and_config_that_read_back()
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-test-" + Guid.NewGuid().ToString("N"));
        var result = ExperimentRunner.Run(new RunRequest("noise-equilibrium") { Seed = 3, Sets = Short, OutputDirectory = dir });
        var rec = RunRecord.Load(dir);
        Assert.Equal("noise-equilibrium", rec.Experiment);
        Assert.Equal("quick", rec.Profile);
        Assert.Equal(3, rec.Seed);
        Assert.Equal(RunStatus.Completed, rec.Status);
        Assert.NotNull(rec.Finished);
        Assert.Equal(300, rec.Config["balance"]!["sgd_steps"]!.GetValue<int>());
        Assert.Equal(result.Claims.Count, rec.Claims.Count);
        foreach (var (stored, live) in rec.Claims.Zip(result.Claims))
        {
            var back = ExperimentRunner.FromRecord(stored);
            Assert.Equal(live.Passed, back.Passed);
            Assert.Equal(live.Passed, stored.Passed);
            Assert.Equal(live.Id, back.Id);
        }
        // The raw JSON has the field names the issue asks for.
        var raw = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!.AsObject();
        foreach (var key in new[] { "experiment", "profile", "seed", "config", "version", "commit", "dirty", "threads", "started", "finished", "status", "members", "claims" })
            Assert.True(raw.ContainsKey(key), key);
        foreach (var key in new[] { "id", "kind", "statement", "measured", "comparison", "threshold", "passed" })
            Assert.True(raw["claims"]![0]!.AsObject().ContainsKey(key), key);
        var rows = MetricsWriter.Read(Path.Combine(dir, "metrics.csv"));
        foreach (var claim in raw["claims"]!.AsArray())
        {
            var threshold = claim!["threshold"]!.AsObject();
            Assert.True(threshold.ContainsKey("low") && threshold.ContainsKey("high"));
            Assert.Equal(claim["comparison"]!.GetValue<string>() == "in", threshold["low"] is not null && threshold["high"] is not null);
        }
        Assert.Contains(rows, r => r.Name == "imbalance" && r.Phase == "balance.sgd" && r.Layer == "" && r.Step == 300);
        var h = rec.Members.Single(m => (string?)m["phase"] == "warmup.warmup" && (int?)m["member"] == 0);
        Assert.Equal(3L, (long?)h["seed"]);
        Assert.Equal("kaiming", (string?)h["init"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, h["lr"]!.GetValueKind());
        Assert.Contains("\"x_label\"", File.ReadAllText(Path.Combine(dir, "figures.json")));
        Assert.Equal(rows.Count, rows.Distinct().Count());
        Assert.True(File.Exists(Path.Combine(dir, "figures.json")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Metrics_writer_appends_and_flushes_as_it_goes()
    {
        string path = Path.GetTempFileName();
        File.Delete(path);
        using (var w = MetricsWriter.Open(path))
        {
            w.Log(0, "train", 0, "l0", "loss", 1.5);
            w.Flush();
            // Readable by another reader before the writer is closed.
            using var shared = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Assert.Contains("0,train,0,l0,loss,1.5", new StreamReader(shared).ReadToEnd());
        }
        using (var w = MetricsWriter.Open(path)) w.Log(1, "say \"hi\"\nthere", 2, "a,b", "x", -2);
        var rows = MetricsWriter.Read(path);
        Assert.Equal(2, rows.Count);
        Assert.Equal("a,b", rows[1].Layer);
        Assert.Equal("say \"hi\"\nthere", rows[1].Phase);
        Assert.Contains("\"say \"\"hi\"\"\nthere\",2,\"a,b\",x,-2", File.ReadAllText(path));
        File.Delete(path);
    }

    [Fact]
    public void Malformed_run_json_is_a_one_line_format_error()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "run.json"), "{\"status\": 5");
        var e = Assert.Throws<UnreadableFileException>(() => RunRecord.Load(dir));
        Assert.Contains("run.json", e.Message);
        Assert.Throws<FileNotFoundException>(() => RunRecord.Load(Path.Combine(dir, "missing")));
        Directory.Delete(dir, true);
    }
}
