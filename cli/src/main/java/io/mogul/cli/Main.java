package io.mogul.cli;

import io.mogul.cli.admin.AdminCommand;
import io.mogul.common.MogulException;
import io.mogul.common.config.ConfigException;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mogul} command. Exit codes are listed in {@link ExitCodes}. */
@Command(name = "mogul", mixinStandardHelpOptions = true, version = "mogul 0.1.0",
    description = "Mogul, a distributed file store for huge numbers of small files.",
    subcommands = {
        PutCommand.class, GetCommand.class, CatCommand.class, ListCommand.class, DeleteCommand.class,
        RenameCommand.class, InfoCommand.class, AdminCommand.class, BenchCommand.class,
        ServerCommands.Tracker.class, ServerCommands.Datanode.class, GatewayCommand.class, SandboxCommand.class,
        ChaosCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 usage, 2 not found, 3 other error, 4 unavailable."})
public final class Main implements Runnable {
  private final Io io;

  @picocli.CommandLine.Mixin GlobalOptions global;

  public Main(Io io) {
    this.io = io;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(io.err());
  }

  public static void main(String[] args) {
    System.exit(run(Io.system(), args));
  }

  /** Runs one command line to completion and returns its exit code. */
  public static int run(Io io, String... args) {
    boolean verbose = Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v");
    CommandLine cli = new CommandLine(new Main(io), new Factory(io));
    addHelpOptions(cli);
    cli.setOut(new PrintWriter(io.out(), true));
    cli.setErr(new PrintWriter(io.err(), true));
    cli.setParameterExceptionHandler((e, line) -> {
      io.err().println("mogul: " + e.getMessage());
      io.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      return ExitCodes.USAGE;
    });
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (verbose) {
        e.printStackTrace(io.err());
      }
      if (e instanceof MogulException m) {
        io.err().println("mogul: " + m.getMessage() + " (" + m.reason() + ")");
        return ExitCodes.of(m.reason());
      }
      if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
        io.err().println("mogul: " + e.getMessage());
        return ExitCodes.USAGE;
      }
      io.err().println("mogul: " + e);
      return ExitCodes.ERROR;
    });
    return cli.execute(args);
  }

  /** Gives every subcommand, however deep, -h/--help. */
  private static void addHelpOptions(CommandLine command) {
    command.getCommandSpec().mixinStandardHelpOptions(true);
    command.getSubcommands().values().forEach(Main::addHelpOptions);
  }

  /** Creates commands, handing the {@link Io} to those that take it. */
  private record Factory(Io io) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        Constructor<K> withIo = type.getDeclaredConstructor(Io.class);
        withIo.setAccessible(true);
        return withIo.newInstance(io);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }
}
