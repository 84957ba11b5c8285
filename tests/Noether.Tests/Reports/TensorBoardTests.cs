using System.Buffers.Binary;
using System.Text;
using Noether.Runs;

namespace Noether.Tests.Reports;

/// <summary>
/// Reads the event files back with a reader written here from the format descriptions (TFRecord
/// framing, protobuf wire format, tensorflow.Event fields), sharing no code with the writer: its
/// CRC-32C is the bit-by-bit definition, not the writer's table.
/// </summary>
public class TensorBoardTests
{
    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        // The CRC-32C check value of "123456789" (RFC 3720 appendix / the CRC catalogue).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(BitwiseCrc32C("123456789"u8), Crc32C.Compute("123456789"u8));
        var random = new byte[1000];
        new Random(7).NextBytes(random);
        Assert.Equal(BitwiseCrc32C(random), Crc32C.Compute(random));
    }

    [Fact]
    public void Metrics_read_back_from_event_files_with_valid_crcs()
    {
        string dir = ReportFixtures.TempDir("tb");
        var started = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var rows = new List<MetricRow>();
        for (int member = 0; member < 2; member++)
            for (long step = 0; step <= 2000; step += 500)
            {
                rows.Add(new MetricRow(step, "sgd", member, "l1", "imbalance", Math.Exp(-step / 1000.0) + member));
                rows.Add(new MetricRow(step, "sgd", member, "", "loss", 1e-3 * step));
            }
        rows.Add(new MetricRow(2500, "sgd", 1, "l1", "imbalance", double.PositiveInfinity));
        var labels = new MemberLabels([
            new System.Text.Json.Nodes.JsonObject { ["phase"] = "sgd", ["member"] = 0, ["seed"] = 3, ["gamma"] = 0.01 },
            new System.Text.Json.Nodes.JsonObject { ["phase"] = "sgd", ["member"] = 1, ["seed"] = 3, ["gamma"] = 0.1 }]);
        var files = TensorBoardExport.Write(dir, rows, labels, started);

        Assert.Equal(2, files.Count);
        for (int member = 0; member < 2; member++)
        {
            string file = files[member];
            Assert.Equal(Path.Combine(dir, "tensorboard", "sgd", member == 0 ? "gamma=0.01" : "gamma=0.1", "seed=3"), Path.GetDirectoryName(file));
            Assert.StartsWith("events.out.tfevents.1700000000.", Path.GetFileName(file));
            var events = ReadRecords(File.ReadAllBytes(file)).Select(DecodeEvent).ToList();
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            Assert.Equal(1_700_000_000.0, events[0].WallTime);
            var scalars = events.Skip(1).ToList();
            var expected = rows.Where(r => r.Member == member).OrderBy(r => r.Step).ToList();
            Assert.Equal(expected.Count, scalars.Count);
            foreach (var (e, r) in scalars.Zip(expected))
            {
                Assert.Equal(r.Step, e.Step);
                Assert.Equal(r.Layer == "" ? r.Name : $"{r.Layer}/{r.Name}", e.Tag);
                Assert.Equal((float)r.Value, e.Value);
                Assert.Equal(1_700_000_000.0, e.WallTime);
            }
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_flipped_bit_is_caught_by_the_reader()
    {
        // The reader must be able to fail: corrupt one data byte and its CRC check throws.
        string dir = ReportFixtures.TempDir("tb-bad");
        var file = TensorBoardExport.Write(dir, [new MetricRow(1, "train", 0, "", "loss", 0.5)], new MemberLabels([]), DateTimeOffset.UnixEpoch)[0];
        var bytes = File.ReadAllBytes(file);
        bytes[^6] ^= 0x01;
        Assert.Throws<InvalidDataException>(() => ReadRecords(bytes).ToList());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Live_export_has_every_row_on_disk_after_each_flush_with_the_time_it_was_logged()
    {
        string dir = ReportFixtures.TempDir("tb-live");
        var metrics = MetricsWriter.InMemory();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        using (var live = TensorBoardLive.Attach(dir, metrics, (phase, member) => $"gamma=0.1/seed={member + 1}", clock: () => now))
        {
            metrics.Log(0, "train", 0, "", "loss", 1.0);
            metrics.Log(0, "train", 1, "", "loss", 2.0);
            metrics.Flush();
            // Read while the run goes on: the files are open for writing.
            // Runs are named by phase, then by the member's condition and seed.
            var member1 = Path.Combine(dir, "tensorboard", "train", "gamma=0.1", "seed=2");
            var first = ReadRecords(ReadShared(Directory.GetFiles(member1).Single())).Select(DecodeEvent).ToList();
            Assert.Equal(2, first.Count);
            Assert.Equal(("loss", 2.0f, 1_800_000_000.0), (first[1].Tag, first[1].Value, first[1].WallTime));

            now = now.AddSeconds(90);
            metrics.Log(100, "train", 1, "sgd", "imbalance", 0.25);
            metrics.Flush();
            var second = ReadRecords(ReadShared(Directory.GetFiles(member1).Single())).Select(DecodeEvent).ToList();
            Assert.Equal(3, second.Count);
            Assert.Equal(("sgd/imbalance", 100L, 1_800_000_090.0), (second[2].Tag, second[2].Step, second[2].WallTime));
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_run_writes_its_event_files_as_it_trains_with_real_wall_times()
    {
        string dir = ReportFixtures.TempDir("tb-run");
        Noether.Experiments.ExperimentRunner.Run(new Noether.Experiments.RunRequest("noise-equilibrium")
        {
            Sets = ["balance.sgd_steps=400", "balance.gd_steps=40", "scale.steps=400", "warmup.steps=200", "warmup.warmup_steps=100", "seeds=2"], OutputDirectory = dir,
        });
        var rows = MetricsWriter.Read(Path.Combine(dir, "metrics.csv"));
        var scalars = Directory.GetFiles(Path.Combine(dir, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories)
            .SelectMany(f => ReadRecords(File.ReadAllBytes(f)).Select(DecodeEvent).Skip(1))
            .Where(e => !e.Tag!.StartsWith("_hparams_/", StringComparison.Ordinal) && !e.Tag.StartsWith(TensorBoardHparams.ClaimPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(rows.Count, scalars.Count);
        Assert.True(scalars.Select(e => e.WallTime).Distinct().Count() > 1, "every scalar has the same wall time");
        var started = Noether.Runs.RunRecord.Load(dir).Started.ToUnixTimeMilliseconds() / 1000.0;
        Assert.All(scalars, e => Assert.InRange(e.WallTime, started - 1, started + 3600));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_run_is_an_hparams_session_with_its_config_seed_and_claims()
    {
        string dir = ReportFixtures.TempDir("tb-hparams");
        Noether.Experiments.ExperimentRunner.Run(new Noether.Experiments.RunRequest("noise-equilibrium")
        {
            Seed = 4, Sets = ["balance.sgd_steps=400", "balance.gd_steps=40", "scale.steps=400", "warmup.steps=200", "warmup.warmup_steps=100", "seeds=2"], OutputDirectory = dir,
        });
        var record = RunRecord.Load(dir);
        // The session file sits at the top of tensorboard/ (the session's run); members' scalars are below it.
        string file = Directory.GetFiles(Path.Combine(dir, "tensorboard"), "events.out.tfevents.*").Single();
        var raw = ReadRecords(File.ReadAllBytes(file)).ToList();   // CRCs checked by the independent reader
        var events = raw.Skip(1).Select(r => Noether.Runs.TensorBoardProto.Event.Parser.ParseFrom(r)).ToList();
        Assert.Equal(TensorBoardHparams.SessionStartTag, events[0].Summary.Value[0].Tag);
        Assert.Equal(TensorBoardHparams.PluginName, events[0].Summary.Value[0].Metadata.PluginData.PluginName);
        var start = TensorBoardHparams.Decode(events[0]).SessionStartInfo;
        Assert.Equal(4, start.Hparams["seed"].NumberValue);
        Assert.Equal(400, start.Hparams["balance.sgd_steps"].NumberValue);
        Assert.Equal(2, start.Hparams["seeds"].NumberValue);
        Assert.InRange(start.StartTimeSecs, record.Started.ToUnixTimeSeconds() - 5, record.Started.ToUnixTimeSeconds() + 5);
        var claims = events.Skip(1).SkipLast(1).Select(e => e.Summary.Value[0]).ToList();
        Assert.Equal(record.Claims.Where(c => c.Measured is not null).Select(c => TensorBoardHparams.ClaimPrefix + c.Id), claims.Select(v => v.Tag));
        Assert.Equal(record.Claims.Where(c => c.Measured is not null).Select(c => (float)c.Measured!.Value), claims.Select(v => v.SimpleValue));
        var end = TensorBoardHparams.Decode(events[^1]).SessionEndInfo;
        Assert.Equal(Noether.Runs.TensorBoardProto.Status.Success, end.Status);
        // The independent decoder reads the same tags.
        Assert.Equal(events.Select(e => e.Summary.Value[0].Tag), raw.Skip(1).Select(DecodeEvent).Select(e => e.Tag));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_sweep_experiment_declares_its_axes_values_and_claims()
    {
        string dir = ReportFixtures.TempDir("tb-experiment");
        var axes = new List<(string, IReadOnlyList<System.Text.Json.Nodes.JsonNode?>)>
        {
            ("balance.lr", [0.01, 0.02, 0.01]),
            ("rule", ["fa", "kp"]),
            ("seed", [1, 2]),
        };
        string file = TensorBoardHparams.WriteExperiment(dir, "noise-equilibrium sweep", axes, ["H-a.sgd-imbalance", "H-b.gd-norm-growth"], DateTimeOffset.UnixEpoch.AddSeconds(1000));
        // Written again, it replaces the earlier summary: TensorBoard reads exactly one experiment.
        file = TensorBoardHparams.WriteExperiment(dir, "noise-equilibrium sweep", axes, ["H-a.sgd-imbalance", "H-b.gd-norm-growth"], DateTimeOffset.UnixEpoch.AddSeconds(1000));
        Assert.Single(Directory.GetFiles(dir, "events.out.tfevents.*"));
        var e = Noether.Runs.TensorBoardProto.Event.Parser.ParseFrom(ReadRecords(File.ReadAllBytes(file)).Skip(1).Single());
        Assert.Equal(TensorBoardHparams.ExperimentTag, e.Summary.Value[0].Tag);
        Assert.Equal(1000, e.WallTime);
        var experiment = TensorBoardHparams.Decode(e).Experiment;
        Assert.Equal(["balance.lr", "rule", "seed"], experiment.HparamInfos.Select(h => h.Name));
        Assert.Equal(Noether.Runs.TensorBoardProto.DataType.Float64, experiment.HparamInfos[0].Type);
        Assert.Equal([0.01, 0.02], experiment.HparamInfos[0].DomainDiscrete.Values.Select(v => v.NumberValue));
        Assert.Equal(Noether.Runs.TensorBoardProto.DataType.String, experiment.HparamInfos[1].Type);
        Assert.Equal(["fa", "kp"], experiment.HparamInfos[1].DomainDiscrete.Values.Select(v => v.StringValue));
        Assert.Equal(["claim/H-a.sgd-imbalance", "claim/H-b.gd-norm-growth"], experiment.MetricInfos.Select(m => m.Name.Tag));
        Assert.All(experiment.MetricInfos, m => Assert.Equal("", m.Name.Group));
        Directory.Delete(dir, true);
    }

    private static byte[] ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var copy = new MemoryStream();
        fs.CopyTo(copy);
        return copy.ToArray();
    }

    // ---- an independent reader ----

    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (uint)-(int)(crc & 1));
        }
        return crc ^ 0xFFFFFFFF;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = BitwiseCrc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    private static IEnumerable<byte[]> ReadRecords(byte[] file)
    {
        int at = 0;
        while (at < file.Length)
        {
            if (file.Length - at < 16) throw new InvalidDataException($"truncated record header at byte {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)) != Masked(file.AsSpan(at, 8)))
                throw new InvalidDataException($"length CRC mismatch at byte {at}");
            var data = file.AsSpan(at + 12, checked((int)length)).ToArray();
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + (int)length)) != Masked(data))
                throw new InvalidDataException($"data CRC mismatch at byte {at}");
            at += 12 + (int)length + 4;
            yield return data;
        }
    }

    private sealed record Event(double WallTime, long Step, string? FileVersion, string? Tag, float Value);

    private static Event DecodeEvent(byte[] bytes)
    {
        double wall = 0; long step = 0; string? version = null, tag = null; float value = float.NaN;
        foreach (var (field, _, raw, number) in Fields(bytes))
        {
            switch (field)
            {
                case 1: wall = BitConverter.Int64BitsToDouble((long)number); break;
                case 2: step = (long)number; break;
                case 3: version = Encoding.UTF8.GetString(raw!); break;
                case 5:
                    foreach (var (sf, _, valueBytes, _) in Fields(raw!))
                    {
                        Assert.Equal(1, sf); // Summary.value
                        foreach (var (vf, _, vraw, vnum) in Fields(valueBytes!))
                        {
                            if (vf == 1) tag = Encoding.UTF8.GetString(vraw!);
                            else if (vf == 2) value = BitConverter.Int32BitsToSingle((int)vnum);
                        }
                    }
                    break;
            }
        }
        return new Event(wall, step, version, tag, value);
    }

    /// <summary>Protobuf fields: varint (0), 64-bit (1), length-delimited (2), 32-bit (5).</summary>
    private static IEnumerable<(int Field, int Wire, byte[]? Raw, ulong Number)> Fields(byte[] message)
    {
        int at = 0;
        var list = new List<(int, int, byte[]?, ulong)>();
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: list.Add((field, wire, null, Varint(message, ref at))); break;
                case 1: list.Add((field, wire, null, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at)))); at += 8; break;
                case 5: list.Add((field, wire, null, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at)))); at += 4; break;
                case 2:
                    int n = (int)Varint(message, ref at);
                    list.Add((field, wire, message.AsSpan(at, n).ToArray(), 0)); at += n; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
        return list;
    }

    private static ulong Varint(byte[] b, ref int at)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[at++];
            v |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }
}
