using Noether.Data;
using Noether.Learning;
using Noether.Nn;
using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Sweeps;

public class CheckpointStateTests
{
    [Fact]
    public void Round_trips_every_type_bit_for_bit_and_refuses_a_damaged_file()
    {
        var s = new CheckpointState();
        s.Put("f", new[] { 1.5f, float.NaN, -0f, float.Epsilon });
        s.Put("d", new[] { Math.PI, double.NegativeInfinity, 1e-310 });
        s.Put("i", new[] { -3, 7 });
        s.Put("u", new[] { ulong.MaxValue, 1UL });
        s.Put("step", 12345L);
        s.Put("x", 0.1);
        s.Put("text", "phase α\nβ");
        s.Put("empty", Array.Empty<double>());
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "c.bin");
        s.Write(path);
        var r = CheckpointState.Read(path);
        Assert.Equal(s.Get<float>("f").Select(BitConverter.SingleToInt32Bits), r.Get<float>("f").Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(s.Get<double>("d"), r.Get<double>("d"));
        Assert.Equal([-3, 7], r.Get<int>("i"));
        Assert.Equal([ulong.MaxValue, 1UL], r.Get<ulong>("u"));
        Assert.Equal(12345L, r.GetInt64("step"));
        Assert.Equal(0.1, r.GetDouble("x"));
        Assert.Equal("phase α\nβ", r.GetString("text"));
        Assert.Empty(r.Get<double>("empty"));
        Assert.Throws<InvalidDataException>(() => r.Get<float>("d"));       // wrong type
        Assert.Throws<InvalidDataException>(() => r.GetInt64("missing"));
        Assert.Throws<InvalidDataException>(() => r.CopyTo("d", new double[2])); // wrong length

        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => CheckpointState.Read(path)).Message);
        File.WriteAllBytes(path, bytes[..20]);
        Assert.Throws<InvalidDataException>(() => CheckpointState.Read(path));
    }

    [Fact]
    public void Sub_and_PutAll_move_entries_between_prefixes()
    {
        var a = new CheckpointState();
        a.Put("n", 3L);
        var all = new CheckpointState();
        all.PutAll("done/x/", a);
        Assert.Equal(3L, all.Sub("done/x/").GetInt64("n"));
        Assert.False(all.Sub("done/y/").Contains("n"));
    }

    [Fact]
    public void A_restored_rng_continues_the_same_stream_including_the_cached_normal()
    {
        var rng = new Rng(42).Child("noise");
        for (int i = 0; i < 7; i++) rng.Normal(); // odd count: a Box–Muller spare is cached
        var saved = rng.GetState();
        var expected = Enumerable.Range(0, 50).Select(_ => rng.Normal()).Concat(Enumerable.Range(0, 50).Select(_ => rng.NextDouble())).ToArray();
        var other = new Rng(7);
        other.SetState(RngState.FromWords(saved.ToWords()));
        var got = Enumerable.Range(0, 50).Select(_ => other.Normal()).Concat(Enumerable.Range(0, 50).Select(_ => other.NextDouble())).ToArray();
        Assert.Equal(expected, got);
        Assert.Equal(new Rng(42).Child("noise").Seed, other.Seed); // children derive from the restored seed
        Assert.Throws<ArgumentException>(() => other.SetState(default));
    }

    [Fact]
    public void A_restored_batch_sampler_draws_the_same_batches_across_epochs()
    {
        var a = new BatchSampler(10, 3, new Rng(5), dropLast: true);
        var buf = new int[3];
        for (int i = 0; i < 4; i++) a.Next(buf); // into the second epoch
        var saved = a.GetState();
        var expected = Enumerable.Range(0, 12).SelectMany(_ => { a.Next(buf); return buf.ToArray(); }).ToArray();
        var b = new BatchSampler(10, 3, new Rng(99), dropLast: true);
        b.SetState(saved);
        var got = Enumerable.Range(0, 12).SelectMany(_ => { b.Next(buf); return buf.ToArray(); }).ToArray();
        Assert.Equal(expected, got);
        Assert.Equal(a.Epoch, b.Epoch);
        Assert.Throws<DataException>(() => new BatchSampler(11, 3, new Rng(1)).SetState(saved));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void A_trainer_loaded_from_a_checkpoint_takes_exactly_the_steps_of_the_uninterrupted_one(string optimizer)
    {
        const int k = 37, more = 45;
        var reference = MakeTrainer(optimizer);
        for (int i = 0; i < k; i++) reference.StepOnce();
        var state = new CheckpointState();
        reference.SaveState(state);
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.bin");
        state.Write(path);
        for (int i = 0; i < more; i++) reference.StepOnce();

        var resumed = MakeTrainer(optimizer);
        resumed.LoadState(CheckpointState.Read(path));
        Assert.Equal(k, resumed.Step);
        for (int i = 0; i < more; i++) resumed.StepOnce();

        Assert.Equal(reference.Step, resumed.Step);
        Assert.Equal(reference.LastLoss, resumed.LastLoss);
        for (int i = 0; i < reference.Network.Parameters.Count; i++)
            Assert.True(reference.Network.Parameters[i].Value.ReadOnlySpan.SequenceEqual(resumed.Network.Parameters[i].Value.ReadOnlySpan),
                $"parameter {reference.Network.Parameters[i].Name} differs after resuming");
        Assert.Equal(reference.Optimizer.Steps, resumed.Optimizer.Steps);
    }

    [Fact]
    public void Loading_a_checkpoint_of_another_architecture_fails_loudly()
    {
        var t = MakeTrainer("sgd");
        var state = new CheckpointState();
        t.SaveState(state);
        var wider = MakeTrainer("sgd", hidden: 9);
        Assert.Throws<InvalidDataException>(() => wider.LoadState(state));
    }

    private static Trainer<float> MakeTrainer(string optimizer, int hidden = 8)
    {
        const int p = 2, n = 40;
        var rng = new Rng(3);
        var x = new Tensor<float>(n, 4); rng.FillNormal(x.Span, 0, 1);
        var y = new Tensor<float>(n, 2); rng.FillNormal(y.Span, 0, 1);
        var net = Mlp.Build<float>(p, [4, hidden, 2], "tanh", bias: true);
        var init = new Rng(11);
        foreach (var prm in net.Parameters) init.FillNormal(prm.Value.Span, 0, 0.5);
        var opt = Optimizers.Create<float>(optimizer, p, 0.05, 0.01);
        return new Trainer<float>(net, new MseLoss<float>(half: true), opt, new TrainingData<float>(x, y), 6,
            [new Rng(1).Child("batches"), new Rng(2).Child("batches")]);
    }

    [Fact]
    public void Resumed_metrics_are_cut_back_to_the_checkpointed_length_and_reloaded()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "metrics.csv");
        long length;
        using (var w = MetricsWriter.Open(path))
        {
            w.Log(0, "p", 0, "l", "a", 1.0);
            w.Log(1, "p", 0, "l", "a", 0.1 + 0.2);
            length = w.FlushedLength;
            w.Log(2, "p", 0, "l", "a", 3.0); // after the checkpoint: must disappear
        }
        using (var w = MetricsWriter.Resume(path, length))
        {
            Assert.Equal([0L, 1L], w.Rows.Select(r => r.Step));
            Assert.Equal(0.1 + 0.2, w.Rows[1].Value);
            w.Log(2, "p", 0, "l", "a", 4.0);
        }
        Assert.Equal([1.0, 0.1 + 0.2, 4.0], MetricsWriter.Read(path).Select(r => r.Value));
    }
}
