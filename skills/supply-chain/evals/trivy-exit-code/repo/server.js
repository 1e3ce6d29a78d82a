console.log("notifier");
