using System.Text.Json.Nodes;
using Noether.Nn;

namespace Noether.Experiments;

public sealed partial class Study
{
    /// <summary>
    /// A study file (docs/studies.md): the model, the data, the training keys, the shared training sections (rule, syre,
    /// optimizer, probes), the population's axes and seeds, and the claims, all as config keys — so a study file is a
    /// `--config` file and any key can be `--set` or swept.
    /// </summary>
    public sealed class Config : TrainedConfig, IValidatedConfig
    {
        [Param("a name for the study, shown as the run's title (empty: a generic one)")] public string Title { get; set; } = "";
        /// <summary>The network: an MLP whose input and output widths come from the data.</summary>
        public ModelConfig Model { get; set; } = new();
        /// <summary>synthetic (the teacher below) or a real source: `data=fashion-mnist` trains a classifier on it.</summary>
        public DataConfig Data { get; set; } = new();
        /// <summary>The synthetic teacher–student regression used when data=synthetic.</summary>
        public TeacherConfig Teacher { get; set; } = new();
        [Param("SGD steps of every member", Min = 1)] public int Steps { get; set; } = 2000;
        [Param("SGD batch size", Min = 1)] public int Batch { get; set; } = 16;
        [Param("SGD learning rate η (per member when it is an axis)", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("weight decay wd: θ ← θ − η(g + wd·θ) (per member when it is an axis; docs/training.md)", Min = 0, Max = 10)] public double WeightDecay { get; set; }
        [Param("steps between two built-in measurements (loss, test_loss, accuracy), each a safe point of --resume", Min = 1)] public int LogEvery { get; set; } = 100;
        [Param("population members per condition, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 2;
        [Param("condition axes: an object of config key → list of values (docs/studies.md#axes); members are conditions × seeds")]
        public JsonObject Axes { get; set; } = new();
        [Param("claims as data: a list of objects (docs/studies.md#claims)")]
        public JsonArray Claims { get; set; } = new();

        public void Validate()
        {
            if (!Data.IsReal && Batch > Teacher.Samples) throw new ConfigException($"batch={Batch}: expected at most teacher.samples ({Teacher.Samples})");
            if (Data.IsReal && Data.NTrain > 0 && Batch > Data.NTrain) throw new ConfigException($"batch={Batch}: expected at most data.n_train ({Data.NTrain})");
            if (Probes.Layers.FirstOrDefault(l => l > Model.Hidden.Length + 1) is int layer and > 0)
                throw new ConfigException($"probes.layers={string.Join(",", Probes.Layers)}: layer {layer} does not exist; the model has {Model.Hidden.Length + 1} dense layers");
            // Parsing checks every axis value and every claim against this config, naming the field.
            StudyClaims.Parse(this, StudyAxes.Parse(this));
        }

        /// <summary>A copy of this config with one condition's values and no axes or claims (itself a valid single-condition study).</summary>
        internal Config Condition(IEnumerable<(string Key, JsonNode? Value)> values)
        {
            var copy = new Config();
            ConfigBinder.ApplyJson(copy, ConfigBinder.ToJson(this));
            copy.Axes = new JsonObject();
            copy.Claims = new JsonArray();
            foreach (var (key, value) in values) ConfigBinder.ApplyJson(copy, new JsonObject { [key] = value?.DeepClone() });
            return copy;
        }
    }

    /// <summary>The `model` section: hidden widths, activation, bias and initialiser of the MLP.</summary>
    public sealed class ModelConfig : IValidatedConfig
    {
        [Param("hidden layer widths (input and output widths come from the data); empty: a linear model", Min = 1, Max = 4096)] public int[] Hidden { get; set; } = [32];
        [Param("hidden activation (noether list activations)", OneOfNames = typeof(Definitions<ActivationDefinition>))] public string Activation { get; set; } = "tanh";
        [Param("whether every dense layer has a bias")] public bool Bias { get; set; }
        [Param("initialiser of weights and biases (noether list initializers; normal uses model.init_std)", OneOfNames = typeof(Definitions<InitializerDefinition>))]
        public string Init { get; set; } = "lecun";
        [Param("std of the normal initialiser (model.init=normal)", Min = 0, Max = 100)] public double InitStd { get; set; } = 1.0;

        public void Validate()
        {
            if (Hidden.Length > 16) throw new ConfigException($"model.hidden={string.Join(",", Hidden)}: at most 16 hidden layers");
        }
    }

    /// <summary>
    /// The `teacher` section: inputs x ~ N(0, I_d) and targets of a random teacher drawn per seed (<see cref="Data.TeacherStudent"/>):
    /// tanh, y = T₂ tanh(T₁x), or linear, y = W*x; label noise on the training targets only.
    /// </summary>
    public sealed class TeacherConfig
    {
        [Param("teacher: tanh (y = T₂ tanh(T₁x), T₁ ~ N(0, 1/d)) or linear (y = W*x, W* ~ N(0, 1/d))", OneOf = ["tanh", "linear"])] public string Kind { get; set; } = "tanh";
        [Param("input width d", Min = 1, Max = 4096)] public int InputDim { get; set; } = 16;
        [Param("hidden width of the tanh teacher", Min = 1, Max = 4096)] public int Hidden { get; set; } = 8;
        [Param("output width", Min = 1, Max = 4096)] public int OutputDim { get; set; } = 4;
        [Param("training samples per seed", Min = 1, Max = 1_000_000)] public int Samples { get; set; } = 2000;
        [Param("test samples per seed (same teacher, no label noise): test_loss", Min = 1, Max = 1_000_000)] public int TestSamples { get; set; } = 500;
        [Param("std of the Gaussian label noise added to the training targets", Min = 0, Max = 100)] public double Noise { get; set; }
    }
}
