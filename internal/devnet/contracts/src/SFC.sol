// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of Sonic's SFC (Special Fee Contract, 0xFC00FACE…) for the stakewallet
// devnet: a faithful subset of 0xsoniclabs/sonic-sfc contracts/sfc/SFC.sol
// (v4.0.6). Every function, event and error here has the real signature and,
// where modelled, the real rules (delegate, undelegate with caller-chosen wrID,
// withdraw after ConstantsManager.withdrawalPeriodTime and
// withdrawalPeriodEpochs, slashing penalty with the refund ratio, rewards
// stash and claim/restake, self-stake and delegation-limit checks). It is
// what Beets stS (SonicStaking.sol) calls, plus validator creation and reads.
// A later model of native Sonic delegation extends this file; keep it a
// subset of the real ABI.
//
// Differences from the real contract:
//   - Epochs are sealed by the owner (the NodeDriver's role) with the real
//     sealEpoch signature, which here only closes the epoch: it records
//     the snapshot's endTime, endBlock and totalStake (getEpochSnapshot,
//     epochEndTime) and moves currentSealedEpoch; the offline/uptime/fee
//     arrays are ignored. The devnet's sonic model seals them on a cadence
//     scaled from the bonding period. Rewards are not computed per epoch: the
//     model-only modelAddRewards (owner only, payable) credits a delegator's
//     rewards stash, which pendingRewards, claimRewards and restakeRewards use
//     as the real ones use theirs. The devnet oracle calls it at the APR.
//   - The owner plays the NodeDriverAuth where the model needs it
//     (deactivateValidator: mark a validator offline or slashed in tests).
//   - A validator exists when it has an auth address (the real check is
//     createdTime != 0, which is 0 for validators created in a genesis at
//     time 0). No stake subscriber, redirection setters, treasury or burns:
//     a slashing penalty simply stays in the contract.
//   - Plain constructor instead of the proxy's initialize; with value it
//     creates validator 1 for the deployer (a genesis validator).
//   - setGenesisValidator / setGenesisDelegation have the real signatures
//     (onlyDriver: the owner here). setGenesisDelegation records the stake
//     without minting it (the real one mints): the devnet's genesis
//     validators 2.. have keyless auth addresses, so that stake is never
//     withdrawn and the model stays solvent for every other delegation.

interface IConstantsManagerModel {
    function minSelfStake() external view returns (uint256);

    function maxDelegatedRatio() external view returns (uint256);

    function withdrawalPeriodEpochs() external view returns (uint256);

    function withdrawalPeriodTime() external view returns (uint256);
}

contract SFC {
    uint256 internal constant OK_STATUS = 0;
    uint256 internal constant WITHDRAWN_BIT = 1;
    uint256 internal constant OFFLINE_BIT = 1 << 3;
    uint256 internal constant OFFLINE_AVG_BIT = 1 << 4;
    uint256 internal constant DOUBLESIGN_BIT = 1 << 7;
    uint256 internal constant CHEATER_MASK = DOUBLESIGN_BIT;
    uint256 internal constant DECIMAL_UNIT = 1e18;

    struct Validator {
        uint256 status;
        uint256 receivedStake; // from all delegators (weight of the validator)
        address auth; // self-stake delegator
        uint256 createdEpoch;
        uint256 createdTime;
        uint256 deactivatedTime;
        uint256 deactivatedEpoch;
    }

    struct WithdrawalRequest {
        uint256 epoch; // epoch where undelegated
        uint256 time; // when undelegated
        uint256 amount;
    }

    // The fields of the real EpochSnapshot that its public getter returns
    // (the real struct also holds per-validator mappings, which the getter
    // leaves out).
    struct EpochSnapshot {
        uint256 endTime;
        uint256 endBlock;
        uint256 epochFee;
        uint256 baseRewardPerSecond;
        uint256 totalStake;
        uint256 totalSupply;
    }

    IConstantsManagerModel internal c;
    address private _owner;

    // last sealed epoch (currentEpoch - 1)
    uint256 public currentSealedEpoch;
    mapping(uint256 validatorID => Validator) public getValidator;
    mapping(address auth => uint256 validatorID) public getValidatorID;
    mapping(uint256 validatorID => bytes pubkey) public getValidatorPubkey;

    uint256 public lastValidatorID;
    uint256 public totalStake;
    uint256 public totalActiveStake;

    mapping(address delegator => mapping(uint256 validatorID => uint256 stashedRewards)) internal _rewardsStash;

    // delegator => validator ID => withdrawal ID => withdrawal request
    mapping(address delegator => mapping(uint256 validatorID => mapping(uint256 wrID => WithdrawalRequest)))
        public getWithdrawalRequest;

    // delegator => validator ID => current stake
    mapping(address delegator => mapping(uint256 validatorID => uint256 stake)) public getStake;

    // validator ID -> slashing refund ratio (allows to withdraw slashed stake)
    mapping(uint256 validatorID => uint256 refundRatio) public slashingRefundRatio;

    mapping(address pubkeyAddress => uint256 validatorID) public pubkeyAddressToValidatorID;

    // delegator => receiver of withdrawals and rewards (never set in the model)
    mapping(address delegator => address receiver) public getRedirection;

    // epoch id => epoch snapshot
    mapping(uint256 epoch => EpochSnapshot) public getEpochSnapshot;

    error NotDriverAuth();
    error ZeroAmount();
    error ZeroRewards();
    error PubkeyUsedByOtherValidator();
    error MalformedPubkey();
    error ValidatorNotExists();
    error ValidatorExists();
    error ValidatorNotActive();
    error ValidatorDelegationLimitExceeded();
    error NotDeactivatedStatus();
    error RequestExists();
    error RequestNotExists();
    error TransferFailed();
    error InsufficientSelfStake();
    error NotEnoughTimePassed();
    error NotEnoughEpochsPassed();
    error StakeIsFullySlashed();
    error ValidatorNotSlashed();
    error RefundRatioTooHigh();
    error OwnableUnauthorizedAccount(address account);

    event DeactivatedValidator(uint256 indexed validatorID, uint256 deactivatedEpoch, uint256 deactivatedTime);
    event ChangedValidatorStatus(uint256 indexed validatorID, uint256 status);
    event CreatedValidator(uint256 indexed validatorID, address indexed auth, uint256 createdEpoch, uint256 createdTime);
    event Delegated(address indexed delegator, uint256 indexed toValidatorID, uint256 amount);
    event Undelegated(address indexed delegator, uint256 indexed toValidatorID, uint256 indexed wrID, uint256 amount);
    event Withdrawn(
        address indexed delegator, uint256 indexed toValidatorID, uint256 indexed wrID, uint256 amount, uint256 penalty
    );
    event ClaimedRewards(address indexed delegator, uint256 indexed toValidatorID, uint256 rewards);
    event RestakedRewards(address indexed delegator, uint256 indexed toValidatorID, uint256 rewards);
    event UpdatedSlashingRefundRatio(uint256 indexed validatorID, uint256 refundRatio);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// Model constructor (the real SFC is initialized in the genesis): with
    /// value, the deployer becomes validator 1 with msg.value as self-stake,
    /// as createValidator would do (a genesis validator).
    constructor(address consts, bytes memory pubkey) payable {
        c = IConstantsManagerModel(consts);
        _owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        if (msg.value > 0) {
            _createValidator(msg.sender, pubkey, msg.value);
        }
    }

    modifier onlyOwner() {
        if (msg.sender != _owner) {
            revert OwnableUnauthorizedAccount(msg.sender);
        }
        _;
    }

    modifier onlyDriver() {
        if (msg.sender != _owner) {
            revert NotDriverAuth();
        }
        _;
    }

    function owner() external view returns (address) {
        return _owner;
    }

    function constsAddress() external view returns (address) {
        return address(c);
    }

    /// Seal the current epoch (the NodeDriver's call; the owner's in the
    /// model). Model: only closes the epoch (see the header).
    function sealEpoch(
        uint256[] calldata offlineTime,
        uint256[] calldata offlineBlocks,
        uint256[] calldata uptimes,
        uint256[] calldata originatedTxsFee
    ) external onlyDriver {
        (offlineTime, offlineBlocks, uptimes, originatedTxsFee);
        EpochSnapshot storage snapshot = getEpochSnapshot[currentEpoch()];
        currentSealedEpoch = currentEpoch();
        snapshot.endTime = block.timestamp;
        snapshot.endBlock = block.number;
        snapshot.totalStake = totalActiveStake;
    }

    /// Get the end time of an epoch (0 while it is not sealed).
    function epochEndTime(uint256 epoch) public view returns (uint256) {
        return getEpochSnapshot[epoch].endTime;
    }

    /// Set an initial validator (genesis; the owner's call in the model).
    function setGenesisValidator(address auth, uint256 validatorID, bytes calldata pubkey, uint256 createdTime)
        external
        onlyDriver
    {
        if (getValidatorID[auth] != 0 || _validatorExists(validatorID)) {
            revert ValidatorExists();
        }
        getValidatorID[auth] = validatorID;
        Validator storage v = getValidator[validatorID];
        v.status = OK_STATUS;
        v.createdEpoch = 0;
        v.createdTime = createdTime;
        v.auth = auth;
        getValidatorPubkey[validatorID] = pubkey;
        emit CreatedValidator(validatorID, auth, 0, createdTime);
        if (validatorID > lastValidatorID) {
            lastValidatorID = validatorID;
        }
    }

    /// Set an initial delegation (genesis; the owner's call in the model).
    /// The real one mints the stake; the model only records it.
    function setGenesisDelegation(address delegator, uint256 toValidatorID, uint256 stake) external onlyDriver {
        if (!_validatorExists(toValidatorID)) {
            revert ValidatorNotExists();
        }
        if (stake == 0) {
            revert ZeroAmount();
        }
        getStake[delegator][toValidatorID] += stake;
        getValidator[toValidatorID].receivedStake += stake;
        totalStake += stake;
        if (getValidator[toValidatorID].status == OK_STATUS) {
            totalActiveStake += stake;
        }
        emit Delegated(delegator, toValidatorID, stake);
    }

    /// Create a validator with a given public key while using attached value as the validator's self-stake.
    function createValidator(bytes calldata pubkey) external payable {
        _createValidator(msg.sender, pubkey, msg.value);
    }

    function _createValidator(address auth, bytes memory pubkey, uint256 selfStake) internal {
        if (selfStake < c.minSelfStake()) {
            revert InsufficientSelfStake();
        }
        if (pubkey.length != 66 || pubkey[0] != 0xc0) {
            revert MalformedPubkey();
        }
        bytes memory raw = new bytes(64);
        for (uint256 i = 0; i < 64; i++) {
            raw[i] = pubkey[i + 2];
        }
        address pubkeyAddr = address(uint160(uint256(keccak256(raw))));
        if (pubkeyAddressToValidatorID[pubkeyAddr] != 0) {
            revert PubkeyUsedByOtherValidator();
        }
        if (getValidatorID[auth] != 0) {
            revert ValidatorExists();
        }
        uint256 validatorID = ++lastValidatorID;
        getValidatorID[auth] = validatorID;
        Validator storage v = getValidator[validatorID];
        v.status = OK_STATUS;
        v.createdEpoch = currentEpoch();
        v.createdTime = block.timestamp;
        v.auth = auth;
        getValidatorPubkey[validatorID] = pubkey;
        pubkeyAddressToValidatorID[pubkeyAddr] = validatorID;
        emit CreatedValidator(validatorID, auth, v.createdEpoch, v.createdTime);
        _delegate(auth, validatorID, selfStake);
    }

    /// Update slashing refund ratio for a validator.
    function updateSlashingRefundRatio(uint256 validatorID, uint256 refundRatio) external onlyOwner {
        if (!isSlashed(validatorID)) {
            revert ValidatorNotSlashed();
        }
        if (refundRatio > DECIMAL_UNIT) {
            revert RefundRatioTooHigh();
        }
        slashingRefundRatio[validatorID] = refundRatio;
        emit UpdatedSlashingRefundRatio(validatorID, refundRatio);
    }

    /// Delegate stake to a validator.
    function delegate(uint256 toValidatorID) external payable {
        _delegate(msg.sender, toValidatorID, msg.value);
    }

    /// Withdraw stake from a validator after its un-delegation.
    function withdraw(uint256 toValidatorID, uint256 wrID) public {
        _withdraw(msg.sender, toValidatorID, wrID, _receiverOf(msg.sender));
    }

    /// Deactivate a validator (the NodeDriverAuth's call; the owner's in the model).
    function deactivateValidator(uint256 validatorID, uint256 status) external onlyDriver {
        if (status == OK_STATUS) {
            revert NotDeactivatedStatus();
        }
        _setValidatorDeactivated(validatorID, status);
    }

    /// Claim rewards for stake delegated to a validator.
    function claimRewards(uint256 toValidatorID) public {
        address delegator = msg.sender;
        uint256 rewards = _claimRewards(delegator, toValidatorID);
        (bool sent,) = _receiverOf(delegator).call{value: rewards}("");
        if (!sent) {
            revert TransferFailed();
        }
        emit ClaimedRewards(delegator, toValidatorID, rewards);
    }

    /// Get amount of currently stashed rewards.
    function rewardsStash(address delegator, uint256 validatorID) public view returns (uint256) {
        return _rewardsStash[delegator][validatorID];
    }

    /// Un-delegate stake from a validator.
    function undelegate(uint256 toValidatorID, uint256 wrID, uint256 amount) public {
        address delegator = msg.sender;
        if (amount == 0) {
            revert ZeroAmount();
        }
        if (getWithdrawalRequest[delegator][toValidatorID][wrID].amount != 0) {
            revert RequestExists();
        }
        _rawUndelegate(delegator, toValidatorID, amount);

        getWithdrawalRequest[delegator][toValidatorID][wrID].amount = amount;
        getWithdrawalRequest[delegator][toValidatorID][wrID].epoch = currentEpoch();
        getWithdrawalRequest[delegator][toValidatorID][wrID].time = block.timestamp;

        emit Undelegated(delegator, toValidatorID, wrID, amount);
    }

    /// Re-stake rewards: claim them and delegate them to the same validator.
    function restakeRewards(uint256 toValidatorID) public {
        address delegator = msg.sender;
        uint256 rewards = _claimRewards(delegator, toValidatorID);
        _delegate(delegator, toValidatorID, rewards);
        emit RestakedRewards(delegator, toValidatorID, rewards);
    }

    /// Get the current epoch number.
    function currentEpoch() public view returns (uint256) {
        return currentSealedEpoch + 1;
    }

    /// Get self-stake of a validator.
    function getSelfStake(uint256 validatorID) public view returns (uint256) {
        return getStake[getValidator[validatorID].auth][validatorID];
    }

    /// Whether the validator is slashed (double-sign).
    function isSlashed(uint256 validatorID) public view returns (bool) {
        return getValidator[validatorID].status & CHEATER_MASK != 0;
    }

    /// The rewards the delegator can claim now.
    function pendingRewards(address delegator, uint256 toValidatorID) public view returns (uint256) {
        return _rewardsStash[delegator][toValidatorID];
    }

    /// MODEL ONLY (not on Sonic): credit msg.value to delegator's rewards
    /// stash for toValidatorID, standing in for the epoch rewards that
    /// sealEpoch computes on the real chain.
    function modelAddRewards(address delegator, uint256 toValidatorID) external payable onlyOwner {
        if (msg.value == 0) {
            revert ZeroAmount();
        }
        if (!_validatorExists(toValidatorID)) {
            revert ValidatorNotExists();
        }
        _rewardsStash[delegator][toValidatorID] += msg.value;
    }

    function _checkDelegatedStakeLimit(uint256 validatorID) internal view returns (bool) {
        return getValidator[validatorID].receivedStake <= (getSelfStake(validatorID) * c.maxDelegatedRatio()) / DECIMAL_UNIT;
    }

    function _delegate(address delegator, uint256 toValidatorID, uint256 amount) internal {
        if (!_validatorExists(toValidatorID)) {
            revert ValidatorNotExists();
        }
        if (getValidator[toValidatorID].status != OK_STATUS) {
            revert ValidatorNotActive();
        }
        if (amount == 0) {
            revert ZeroAmount();
        }
        getStake[delegator][toValidatorID] += amount;
        getValidator[toValidatorID].receivedStake += amount;
        totalStake += amount;
        totalActiveStake += amount;
        emit Delegated(delegator, toValidatorID, amount);
        if (!_checkDelegatedStakeLimit(toValidatorID)) {
            revert ValidatorDelegationLimitExceeded();
        }
    }

    function _rawUndelegate(address delegator, uint256 toValidatorID, uint256 amount) internal {
        // Undelegating more than the stake is a checked underflow (Panic 0x11), as on Sonic.
        getStake[delegator][toValidatorID] -= amount;
        getValidator[toValidatorID].receivedStake = getValidator[toValidatorID].receivedStake - amount;
        totalStake = totalStake - amount;
        if (getValidator[toValidatorID].status == OK_STATUS) {
            totalActiveStake = totalActiveStake - amount;
        }

        uint256 selfStakeAfterwards = getSelfStake(toValidatorID);
        if (selfStakeAfterwards != 0 && getValidator[toValidatorID].status == OK_STATUS) {
            if (!(selfStakeAfterwards >= c.minSelfStake())) {
                _setValidatorDeactivated(toValidatorID, WITHDRAWN_BIT);
            }
            if (!_checkDelegatedStakeLimit(toValidatorID)) {
                revert ValidatorDelegationLimitExceeded();
            }
        } else {
            _setValidatorDeactivated(toValidatorID, WITHDRAWN_BIT);
        }
    }

    function _getSlashingPenalty(uint256 amount, bool isCheater, uint256 refundRatio)
        internal
        pure
        returns (uint256 penalty)
    {
        if (!isCheater || refundRatio >= DECIMAL_UNIT) {
            return 0;
        }
        // round penalty upwards (ceiling) to prevent dust amount attacks
        penalty = (amount * (DECIMAL_UNIT - refundRatio)) / DECIMAL_UNIT + 1;
        if (penalty > amount) {
            return amount;
        }
        return penalty;
    }

    function _withdraw(address delegator, uint256 toValidatorID, uint256 wrID, address payable receiver) private {
        WithdrawalRequest memory request = getWithdrawalRequest[delegator][toValidatorID][wrID];
        if (request.epoch == 0) {
            revert RequestNotExists();
        }

        uint256 requestTime = request.time;
        uint256 requestEpoch = request.epoch;
        if (
            getValidator[toValidatorID].deactivatedTime != 0
                && getValidator[toValidatorID].deactivatedTime < requestTime
        ) {
            requestTime = getValidator[toValidatorID].deactivatedTime;
            requestEpoch = getValidator[toValidatorID].deactivatedEpoch;
        }

        if (block.timestamp < requestTime + c.withdrawalPeriodTime()) {
            revert NotEnoughTimePassed();
        }
        if (currentEpoch() < requestEpoch + c.withdrawalPeriodEpochs()) {
            revert NotEnoughEpochsPassed();
        }

        uint256 amount = request.amount;
        bool isCheater = isSlashed(toValidatorID);
        uint256 penalty = _getSlashingPenalty(amount, isCheater, slashingRefundRatio[toValidatorID]);
        delete getWithdrawalRequest[delegator][toValidatorID][wrID];

        if (amount <= penalty) {
            revert StakeIsFullySlashed();
        }
        (bool sent,) = receiver.call{value: amount - penalty}("");
        if (!sent) {
            revert TransferFailed();
        }
        emit Withdrawn(delegator, toValidatorID, wrID, amount - penalty, penalty);
    }

    function _claimRewards(address delegator, uint256 toValidatorID) internal returns (uint256) {
        uint256 rewards = _rewardsStash[delegator][toValidatorID];
        if (rewards == 0) {
            revert ZeroRewards();
        }
        delete _rewardsStash[delegator][toValidatorID];
        return rewards;
    }

    function _receiverOf(address addr) internal view returns (address payable) {
        address to = getRedirection[addr];
        if (to == address(0)) {
            return payable(address(uint160(addr)));
        }
        return payable(address(uint160(to)));
    }

    function _setValidatorDeactivated(uint256 validatorID, uint256 status) internal {
        if (getValidator[validatorID].status == OK_STATUS && status != OK_STATUS) {
            totalActiveStake = totalActiveStake - getValidator[validatorID].receivedStake;
        }
        // status as a number is proportional to severity
        if (status > getValidator[validatorID].status) {
            getValidator[validatorID].status = status;
            if (getValidator[validatorID].deactivatedEpoch == 0) {
                getValidator[validatorID].deactivatedEpoch = currentEpoch();
                getValidator[validatorID].deactivatedTime = block.timestamp;
                emit DeactivatedValidator(
                    validatorID, getValidator[validatorID].deactivatedEpoch, getValidator[validatorID].deactivatedTime
                );
            }
            emit ChangedValidatorStatus(validatorID, status);
        }
    }

    function _validatorExists(uint256 validatorID) internal view returns (bool) {
        return getValidator[validatorID].auth != address(0);
    }
}
