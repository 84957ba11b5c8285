namespace Noether.Training;

/// <summary>
/// State that lives beside a trainer and must survive a resume: a hook's noise stream, plastic
/// feedback weights, a running statistic. Add it to <see cref="Trainer{T}.CheckpointParts"/> and the
/// trainer saves and restores it with its own state.
/// </summary>
public interface ICheckpointable
{
    /// <summary>Writes this part's state under names starting with <paramref name="prefix"/>.</summary>
    void Save(CheckpointState state, string prefix);
    /// <summary>Reads back what <see cref="Save"/> wrote.</summary>
    void Load(CheckpointState state, string prefix);
}
