using Noether.Data;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

public sealed partial class Study
{
    /// <summary>
    /// Trains one phase: the population of <paramref name="group"/> (its per-member axes × seeds) with the config of its
    /// condition <paramref name="c"/>, logging loss, test_loss (and accuracy on classification data) every log_every steps,
    /// each a safe point of the phase.
    /// </summary>
    private static void Train(Config c, StudyGroup group, RunContext ctx, CheckpointPhase phase)
    {
        var pop = ctx.Population(group.Phase, group.Layout);
        int p = pop.Count;
        TrainingData<float> train, test;
        Nn.Loss<float> loss;
        int inputs, outputs;
        ClassificationData? classes = null;
        if (c.Data.IsReal)
        {
            classes = c.Data.Load(ctx.Root.Child("data"));
            if (c.Batch > classes.Train.Count) throw new ConfigException($"batch={c.Batch}: expected at most the {classes.Train.Count} training examples of {classes.Source}");
            (train, test, inputs, outputs) = (classes.Train, classes.Test, classes.InputDim, classes.Classes);
            loss = new SoftmaxCrossEntropyLoss<float>();
        }
        else
        {
            (train, test) = TeacherData(c.Teacher, ctx, pop);
            (inputs, outputs) = (c.Teacher.InputDim, c.Teacher.OutputDim);
            loss = new MseLoss<float>(half: true);
        }

        var net = Mlp.Build<float>(p, [inputs, .. c.Model.Hidden, outputs], c.Model.Activation, c.Model.Bias, compute: ctx.Compute);
        net.Initialize(Initializer.Parse(c.Model.Init), pop.Streams("init"), c.Model.InitStd);
        var sgd = c.Optimizer.Create<float>(p, c.Lr, c.WeightDecay);
        // The axes the engine varies per member: each member's own weight decay and learning rate.
        if (group.Layout.Axes.Any(a => a.Name == "weight_decay")) pop.Layout.Values("weight_decay").CopyTo(sgd.WeightDecay, 0);
        if (group.Layout.Axes.Any(a => a.Name == "lr")) pop.Layout.Values("lr").CopyTo(sgd.LearningRate, 0);
        var trainer = new Trainer<float>(net, loss, sgd, train, c.Batch, pop.Streams("batches"), c.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        c.Attach(trainer, pop.Stream); // rule, syre (docs/training.md)

        phase.Train(trainer, c.Steps, c.LogEvery, step =>
        {
            var trainLoss = trainer.EvaluateLoss();
            var testLoss = trainer.EvaluateLoss(test);
            var accuracy = classes is null ? null : ClassificationData.Accuracy(net, test);
            for (int m = 0; m < p; m++)
            {
                pop.Log(step, m, "loss", trainLoss[m]);
                pop.Log(step, m, "test_loss", testLoss[m]);
                if (accuracy is not null) pop.Log(step, m, "accuracy", accuracy[m]);
            }
            ctx.Metrics.Flush();
            ctx.Progress.Report(group.Phase, step, c.Steps);
        }, ctx.Cancel);
    }

    /// <summary>
    /// The teacher–student data of every member: per seed s, a teacher and teacher.samples + teacher.test_samples inputs from the
    /// stream "teacher" of seed s (<see cref="TeacherStudent"/>), the first samples for training with label noise from the
    /// stream "noise", the rest for testing without; every condition of a seed trains on that seed's data.
    /// </summary>
    private static (TrainingData<float> Train, TrainingData<float> Test) TeacherData(TeacherConfig t, RunContext ctx, Population pop)
    {
        int seeds = pop.Layout.Seeds, n = t.Samples, nt = t.TestSamples, d = t.InputDim, o = t.OutputDim;
        Func<int, Rng> stream = s => ctx.SeedStream(s, "teacher");
        var all = t.Kind == "linear"
            ? TeacherStudent.Linear<float>(seeds, n + nt, d, o, 0, stream)
            : TeacherStudent.Tanh<float>(seeds, n + nt, d, t.Hidden, o, stream);
        var (trainX, trainY) = (new Tensor<float>(seeds, n, d), new Tensor<float>(seeds, n, o));
        var (testX, testY) = (new Tensor<float>(seeds, nt, d), new Tensor<float>(seeds, nt, o));
        for (int s = 0; s < seeds; s++)
        {
            all.Inputs.SliceSpan(s)[..(n * d)].CopyTo(trainX.SliceSpan(s));
            all.Inputs.SliceSpan(s)[(n * d)..].CopyTo(testX.SliceSpan(s));
            all.Targets.SliceSpan(s)[..(n * o)].CopyTo(trainY.SliceSpan(s));
            all.Targets.SliceSpan(s)[(n * o)..].CopyTo(testY.SliceSpan(s));
            if (t.Noise > 0)
            {
                var noise = ctx.SeedStream(s, "noise");
                var y = trainY.SliceSpan(s);
                for (int i = 0; i < y.Length; i++) y[i] += (float)(t.Noise * noise.Normal());
            }
        }
        return (new TrainingData<float>(trainX, trainY, perMember: true).Expand(pop.Count, pop.SeedIndex),
            new TrainingData<float>(testX, testY, perMember: true).Expand(pop.Count, pop.SeedIndex));
    }
}
