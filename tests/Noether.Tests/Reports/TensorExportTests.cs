using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Noether.Experiments;
using Noether.Runs;

namespace Noether.Tests.Reports;

/// <summary>
/// `noether run --export`: files NumPy loads as they are (header checked byte by byte against the NPY
/// 1.0 specification, since numpy is not available to the tests), values that round-trip through the
/// project's reader, an index that describes every file, and training left exactly as without export.
/// </summary>
public class TensorExportTests
{
    private static readonly string[] ShortRun =
        ["balance.sgd_steps=400", "balance.gd_steps=40", "scale.steps=400", "warmup.steps=200", "warmup.warmup_steps=100", "seeds=2"];

    private static string Run(string name, ExportRequest? export)
    {
        string dir = ReportFixtures.TempDir(name);
        ExperimentRunner.Run(new RunRequest("noise-equilibrium") { Sets = ShortRun, OutputDirectory = dir, Export = export });
        return dir;
    }

    [Fact]
    public void Exported_files_are_npy_numpy_loads_with_a_leading_members_axis_and_an_index()
    {
        string dir = Run("export", ExportRequest.Parse("features,weights", "0,every:200,end", null));
        string tensors = Path.Combine(dir, RunContext.TensorFolder);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(tensors, "index.json")))!["files"]!.AsArray();
        var npy = Directory.GetFiles(tensors, "*.npy").Select(f => Path.GetFileName(f)!).Order().ToList();
        Assert.Equal(npy, index.Select(f => (string)f!["file"]!).Order().ToList());
        var members = RunRecord.Load(dir).Members;
        foreach (var entry in index)
        {
            string file = (string)entry!["file"]!;
            Assert.Matches(new Regex(@"^[a-z0-9_.\-]+\.(features|weights)\.l[12]\.step\d+\.npy$"), file);
            Assert.Equal($"{entry["phase"]}.{entry["kind"]}.{entry["layer"]}.step{entry["step"]}.npy", file);
            byte[] bytes = File.ReadAllBytes(Path.Combine(tensors, file));
            int[] shape = entry["shape"]!.AsArray().Select(s => (int)s!).ToArray();
            string descr = (string)entry["dtype"]! == "float32" ? "<f4" : "<f8";
            int width = descr == "<f4" ? 4 : 8;
            // NPY 1.0: magic, version 1.0, little-endian uint16 header length, header dict padded with
            // spaces to a multiple of 64 bytes and ending in '\n', then the data in C order.
            Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
            int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            Assert.Equal(0, (10 + headerLength) % 64);
            string header = Encoding.Latin1.GetString(bytes, 10, headerLength);
            Assert.EndsWith("\n", header);
            string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
            Assert.Equal($"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}", header.TrimEnd('\n').TrimEnd(' '));
            Assert.Equal(10 + headerLength + shape.Aggregate(1L, (a, b) => a * b) * width, bytes.Length);
            // The members axis comes first and matches the phase's members in run.json, in order.
            var phaseMembers = members.Where(m => (string)m["phase"]! == (string)entry["phase"]!).Select(m => (int)m["member"]!).ToList();
            Assert.Equal(phaseMembers, entry["members"]!.AsArray().Select(m => (int)m!).ToList());
            Assert.Equal(phaseMembers.Count, shape[0]);
            // The project's reader gives back the same shape and finite values.
            var read = Npy.ReadDouble(Path.Combine(tensors, file));
            Assert.Equal(shape, read.Shape);
            // (warmup without warmup diverges by design: its later tensors hold infinities, as the network does)
            if (((string)entry["phase"]!).StartsWith("balance.", StringComparison.Ordinal))
                Assert.All(read.ToDoubles(), v => Assert.True(double.IsFinite(v)));
        }
        // Steps 0, every 200 and the end of each watched phase; features are [P, samples, units], weights [P, out, in].
        var sgd = index.Where(e => (string)e!["phase"]! == "balance.sgd" && (string)e["kind"]! == "weights" && (string)e["layer"]! == "l1").Select(e => (long)e!["step"]!).Order().ToList();
        Assert.Equal([0L, 200L, 400L], sgd);
        var feature = index.First(e => (string)e!["kind"]! == "features")!;
        Assert.Equal(3, feature["shape"]!.AsArray().Count);
        Assert.Equal(ExportRequest.FeatureSamples, (int)feature["shape"]![1]!);
        // The final weights on disk are the trained ones: they moved since step 0.
        var w0 = Npy.ReadDouble(Path.Combine(tensors, "balance.sgd.weights.l1.step0.npy")).ToDoubles();
        var w1 = Npy.ReadDouble(Path.Combine(tensors, "balance.sgd.weights.l1.step400.npy")).ToDoubles();
        Assert.NotEqual(w0, w1);
    }

    [Fact]
    public void Export_does_not_change_the_training()
    {
        string plain = Run("export-none", null);
        string exported = Run("export-all", ExportRequest.Parse("features,weights", "every:50,end", null));
        static IEnumerable<string> Values(string dir) => MetricsWriter.Read(Path.Combine(dir, "metrics.csv"))
            .Select(r => $"{r.Step},{r.Phase},{r.Member},{r.Layer},{r.Name},{r.Value:R}");
        Assert.Equal(Values(plain), Values(exported));
        Assert.Equal(RunRecord.Load(plain).Claims.Select(c => c.Measured), RunRecord.Load(exported).Claims.Select(c => c.Measured));
    }

    [Theory]
    [InlineData("features,pixels", null, null, "--export 'pixels'")]
    [InlineData("weights", "0,soon", null, "--export-steps 'soon'")]
    [InlineData("weights", "every:0", null, "--export-steps 'every:0'")]
    [InlineData("weights", null, "layer1", "--export-layers 'layer1'")]
    [InlineData("weights", null, "l0", "--export-layers 'l0'")]
    public void Malformed_export_options_are_one_line_user_errors(string kinds, string? steps, string? layers, string start)
    {
        var e = Assert.Throws<ConfigException>(() => ExportRequest.Parse(kinds, steps, layers));
        Assert.StartsWith(start, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_experiment_that_cannot_honour_the_request_is_refused_before_anything_runs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-export-refused-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(new RunRequest("crh") { OutputDirectory = dir, Export = ExportRequest.Parse("feedback", null, null) }));
        Assert.Contains("crh exports only features, weights", e.Message);
        e = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(new RunRequest("multimodal-alignment") { OutputDirectory = dir, Export = ExportRequest.Parse("weights", null, null) }));
        Assert.Contains("does not export tensors", e.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void A_layer_the_network_does_not_have_is_a_user_error_and_leaves_no_run_folder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-export-layer-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(new RunRequest("noise-equilibrium")
        {
            Sets = ShortRun, OutputDirectory = dir, Export = ExportRequest.Parse("weights", null, "l7"),
        }));
        Assert.StartsWith("--export-layers l7", e.Message);
        Assert.False(Directory.Exists(dir), "the run folder of a refused export is left behind");
    }
}
